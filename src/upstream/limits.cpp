#include "upstream/limits.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "store/redis/client.h"
#include "store/redis/script.h"

namespace cryptodash::upstream {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

admission_decision local_limits::decide(const std::string& provider,
                                        const provider_limits& limits, int weight,
                                        core::duration max_wait) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = providers_.find(provider);
  if (it == providers_.end()) it = providers_.emplace(provider, state{gcra(limits.rate), {}, {}}).first;
  auto& s = it->second;
  if (now < s.cool_until) return {admission::cooling_down, s.cool_until - now};
  if (exhausted(s.budget.usage(now), limits.budget)) return {admission::budget_exhausted, {}};
  s.limiter.reconfigure(limits.rate);
  const auto wait = s.limiter.reserve(now, weight, max_wait);
  if (!wait) return {admission::rate_limited, {}};
  s.budget.record(now);
  return {admission::go, *wait};
}

void local_limits::set_cool_down(const std::string& provider, core::duration d) {
  const auto until = clock_.now() + d;
  std::lock_guard lock(mutex_);
  auto& s = providers_.try_emplace(provider).first->second;
  s.cool_until = std::max(s.cool_until, until);
}

std::optional<admission_decision> local_limits::cooling(const std::string& provider,
                                                       core::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = providers_.find(provider);
  if (it == providers_.end() || now >= it->second.cool_until) return std::nullopt;
  return admission_decision{admission::cooling_down, it->second.cool_until - now};
}

budget_usage local_limits::current_usage(const std::string& provider) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  const auto it = providers_.find(provider);
  return it == providers_.end() ? budget_usage{} : it->second.budget.usage(now);
}

asio::awaitable<admission_decision> local_limits::admit(std::string provider,
                                                        provider_limits limits, int weight,
                                                        core::duration max_wait) {
  co_return decide(provider, limits, weight, max_wait);
}

asio::awaitable<void> local_limits::cool_down(std::string provider, core::duration d) {
  set_cool_down(provider, d);
  co_return;
}

asio::awaitable<budget_usage> local_limits::usage(std::string provider) {
  co_return current_usage(provider);
}

namespace {

// KEYS: gcra, cooldown, budget minute, day, month.
// ARGV: interval_us, burst, weight, max_wait_us, daily limit, monthly limit.
// Returns {verdict, wait_us}: 0 go, 1 rate limited, 2 cooling down, 3 budget exhausted.
// Times are Redis's own (TIME), so instances need not agree on the clock. Lua numbers are
// doubles: microseconds since 1970 fit exactly (< 2^53).
constexpr const char* admit_lua = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cool = redis.call('PTTL', KEYS[2])
if cool > 0 then return {2, cool * 1000} end
local daily = tonumber(ARGV[5])
local monthly = tonumber(ARGV[6])
local day = tonumber(redis.call('GET', KEYS[4]) or '0')
local month = tonumber(redis.call('GET', KEYS[5]) or '0')
if (daily > 0 and day >= daily) or (monthly > 0 and month >= monthly) then return {3, 0} end
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local weight = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval * weight
local wait = new_tat - interval * math.max(burst, weight) - now
if wait > tonumber(ARGV[4]) then return {1, wait} end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX',
           math.ceil((new_tat - now) / 1000) + 1000)
redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], 120000)
redis.call('INCR', KEYS[4])
redis.call('PEXPIRE', KEYS[4], 172800000)
redis.call('INCR', KEYS[5])
redis.call('PEXPIRE', KEYS[5], 2764800000)
if wait < 0 then wait = 0 end
return {0, wait}
)lua";

// KEYS: cooldown. ARGV: milliseconds. Never shortens a longer cool-down.
constexpr const char* cool_down_lua = R"lua(
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 1
)lua";

}  // namespace

redis_limits::redis_limits(store::redis::client& client, std::string key_namespace,
                           const core::clock& clock, milliseconds timeout)
    : client_(client),
      namespace_(std::move(key_namespace)),
      clock_(clock),
      timeout_(timeout),
      admit_script_(std::make_unique<store::redis::script>(admit_lua)),
      cool_down_script_(std::make_unique<store::redis::script>(cool_down_lua)),
      local_(clock) {}

redis_limits::~redis_limits() = default;

std::string redis_limits::key(const std::string& provider, const std::string& what) const {
  return namespace_ + "upstream:" + provider + ":" + what;
}

void redis_limits::note_redis(bool ok) {
  if (ok) {
    if (degraded_.exchange(false))
      spdlog::info("upstream limits: Redis answers again; limits are shared again");
    return;
  }
  ++fallbacks_;
  if (!degraded_.exchange(true))
    spdlog::warn("upstream limits: Redis unavailable; rate limits and budgets are per instance");
}

asio::awaitable<admission_decision> redis_limits::admit(std::string provider,
                                                        provider_limits limits, int weight,
                                                        core::duration max_wait) {
  // The local cool-down first: a 429 seen here is honoured even when Redis is away.
  const auto now = clock_.now();
  if (auto cooling = local_.cooling(provider, now)) co_return *cooling;
  const auto params = gcra_params_of(limits.rate);
  const auto periods = periods_of(now);
  std::vector<std::string> keys = {key(provider, "gcra"), key(provider, "cooldown"),
                                   key(provider, "budget:min:" + periods.minute),
                                   key(provider, "budget:day:" + periods.day),
                                   key(provider, "budget:month:" + periods.month)};
  std::vector<std::string> args = {
      std::to_string(params.interval_us), std::to_string(params.burst),
      std::to_string(std::max(weight, 1)),
      std::to_string(std::max<std::int64_t>(duration_cast<microseconds>(max_wait).count(), 0)),
      std::to_string(limits.budget.daily), std::to_string(limits.budget.monthly)};
  auto r = co_await admit_script_->run(client_, std::move(keys), std::move(args), timeout_);
  const bool ok = r && r->type == store::redis::reply::kind::array && r->elements.size() == 2 &&
                  r->elements[0].type == store::redis::reply::kind::integer &&
                  r->elements[1].type == store::redis::reply::kind::integer;
  if (r && r->is_error()) spdlog::warn("upstream limits: Redis script error: {}", r->str);
  note_redis(ok);
  if (!ok) co_return local_.decide(provider, limits, weight, max_wait);
  const auto wait = duration_cast<core::duration>(microseconds(r->elements[1].integer));
  switch (r->elements[0].integer) {
    case 0: co_return admission_decision{admission::go, wait};
    case 2:
      local_.set_cool_down(provider, wait);
      co_return admission_decision{admission::cooling_down, wait};
    case 3: co_return admission_decision{admission::budget_exhausted, {}};
    default: co_return admission_decision{admission::rate_limited, {}};
  }
}

asio::awaitable<void> redis_limits::cool_down(std::string provider, core::duration d) {
  local_.set_cool_down(provider, d);
  const auto ms = std::max<std::int64_t>(duration_cast<milliseconds>(d).count(), 1);
  std::vector<std::string> keys = {key(provider, "cooldown")};
  std::vector<std::string> args = {std::to_string(ms)};
  auto r = co_await cool_down_script_->run(client_, std::move(keys), std::move(args), timeout_);
  note_redis(r && !r->is_error());
}

asio::awaitable<budget_usage> redis_limits::usage(std::string provider) {
  const auto periods = periods_of(clock_.now());
  std::vector<std::string> cmd = {"MGET", key(provider, "budget:min:" + periods.minute),
                                  key(provider, "budget:day:" + periods.day),
                                  key(provider, "budget:month:" + periods.month)};
  auto r = co_await client_.exec(std::move(cmd), timeout_);
  if (!r || r->type != store::redis::reply::kind::array || r->elements.size() != 3)
    co_return local_.current_usage(provider);
  auto number = [](const store::redis::reply& e) -> std::int64_t {
    if (e.is_nil()) return 0;
    try {
      return std::stoll(e.str);
    } catch (...) {
      return 0;
    }
  };
  co_return budget_usage{number(r->elements[0]), number(r->elements[1]), number(r->elements[2])};
}

}  // namespace cryptodash::upstream
