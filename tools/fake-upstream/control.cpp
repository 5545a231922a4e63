#include "control.h"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace cryptodash::fake {

namespace {

constexpr std::size_t max_logged = 1000;
constexpr std::size_t max_logged_body = 64 * 1024;
constexpr std::size_t max_times = 10000;

reply control_reply(unsigned status, const json::value& body) {
  reply r = json_reply(status, body);
  r.set("Content-Type", "application/json");
  r.set("Cache-Control", "no-store");
  return r;
}

reply ok() {
  return control_reply(200, json::object{{"ok", true}});
}

reply bad(unsigned status, std::string message) {
  return control_reply(status, json::object{{"ok", false}, {"error", std::move(message)}});
}

std::optional<std::int64_t> non_negative(const json::value& v) {
  if (v.is_int64() && v.get_int64() >= 0) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v.get_uint64());
  }
  if (v.is_double() && v.get_double() >= 0 &&
      v.get_double() == static_cast<double>(static_cast<std::int64_t>(v.get_double()))) {
    return static_cast<std::int64_t>(v.get_double());
  }
  return std::nullopt;
}

}  // namespace

json::value fault::to_json() const {
  json::object h;
  for (const auto& [k, v] : headers) h[k] = v;
  json::object o{{"path", path}};
  o["status"] = status ? json::value(*status) : json::value(nullptr);
  o["headers"] = std::move(h);
  o["body"] = body ? json::value(*body) : json::value(nullptr);
  o["delay_ms"] = delay_ms;
  o["hang"] = hang;
  o["garbage"] = garbage;
  o["wrong_schema"] = wrong_schema;
  o["reset"] = reset;
  o["times"] = times;
  return o;
}

std::variant<fault, std::string> parse_fault(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return "the body is not JSON: " + ec.message();
  if (!v.is_object()) return std::string("the body must be a JSON object");
  fault f;
  bool has_path = false;
  for (const auto& kv : v.get_object()) {
    std::string_view k = kv.key();
    const auto& x = kv.value();
    auto flag = [&](bool& out) -> std::optional<std::string> {
      if (!x.is_bool()) return std::string(k) + " must be true or false";
      out = x.get_bool();
      return std::nullopt;
    };
    std::optional<std::string> err;
    if (k == "path") {
      if (!x.is_string() || !x.get_string().starts_with("/")) {
        return std::string("path must be a string starting with /");
      }
      f.path = std::string(x.get_string());
      has_path = true;
    } else if (k == "status") {
      auto n = non_negative(x);
      if (!n || *n < 100 || *n > 599) return std::string("status must be an integer 100..599");
      f.status = static_cast<unsigned>(*n);
    } else if (k == "headers") {
      if (!x.is_object()) return std::string("headers must be an object of name → value");
      for (const auto& h : x.get_object()) {
        if (h.value().is_string()) {
          f.headers.emplace_back(h.key(), h.value().get_string());
        } else if (h.value().is_number()) {
          f.headers.emplace_back(h.key(), to_text(h.value()));
        } else {
          return "headers." + std::string(h.key()) + " must be a string";
        }
      }
    } else if (k == "body") {
      // A string is served as is; any other JSON value as its text.
      f.body = x.is_string() ? std::string(x.get_string()) : to_text(x);
    } else if (k == "delay_ms") {
      auto n = non_negative(x);
      if (!n) return std::string("delay_ms must be a non-negative integer");
      f.delay_ms = *n;
    } else if (k == "times") {
      auto n = non_negative(x);
      if (!n) return std::string("times must be a non-negative integer");
      f.times = *n;
    } else if (k == "hang") {
      err = flag(f.hang);
    } else if (k == "garbage") {
      err = flag(f.garbage);
    } else if (k == "wrong_schema") {
      err = flag(f.wrong_schema);
    } else if (k == "reset") {
      err = flag(f.reset);
    } else {
      return "unknown field " + std::string(k) +
             " (path, status, headers, body, delay_ms, hang, garbage, wrong_schema, reset, times)";
    }
    if (err) return *err;
  }
  if (!has_path) return std::string("path is required");
  return f;
}

control::call::call(control& c, provider p) : control_(c), provider_(p) {
  auto& s = control_.stats(provider_);
  ++s.in_flight;
  s.max_in_flight = std::max(s.max_in_flight, s.in_flight);
}

control::call::~call() {
  --control_.stats(provider_).in_flight;
}

control::call control::begin(provider p, const std::string& path, std::int64_t now_ms) {
  ++total_;
  ++paths_[path];
  auto& s = stats(p);
  ++s.calls;
  s.times_ms.push_back(now_ms);
  if (s.times_ms.size() > max_times) s.times_ms.pop_front();
  return call(*this, p);
}

void control::log(std::string method, std::string target, json::object headers, std::string body) {
  if (body.size() > max_logged_body) body.resize(max_logged_body);
  log_.push_back({std::move(method), std::move(target), std::move(headers), std::move(body)});
  if (log_.size() > max_logged) log_.pop_front();
}

std::optional<fault> control::take_fault(std::string_view path) {
  for (auto it = faults_.rbegin(); it != faults_.rend(); ++it) {
    if (!path.starts_with(it->path)) continue;
    fault f = *it;
    if (it->times > 0 && --it->times == 0) faults_.erase(std::next(it).base());
    return f;
  }
  return std::nullopt;
}

std::int64_t control::add_binance_weight(int weight, std::int64_t now_ms) {
  const std::int64_t minute = now_ms / 60'000;
  if (minute != weight_minute_) {
    weight_minute_ = minute;
    weight_used_ = 0;
  }
  weight_used_ += weight;
  return weight_used_;
}

json::value control::calls_json() const {
  json::object providers;
  for (provider p : all_providers) {
    const auto& s = stats_[static_cast<std::size_t>(p)];
    json::array times;
    for (auto t : s.times_ms) times.push_back(t);
    providers[name(p)] = json::object{{"calls", s.calls},
                                      {"in_flight", s.in_flight},
                                      {"max_in_flight", s.max_in_flight},
                                      {"times_ms", std::move(times)}};
  }
  json::object paths;
  for (const auto& [p, n] : paths_) paths[p] = n;
  const bool this_minute = weight_minute_ == unix_ms_now() / 60'000;
  return json::object{{"total", total_},
                      {"providers", std::move(providers)},
                      {"paths", std::move(paths)},
                      {"binance_used_weight_1m", this_minute ? weight_used_ : 0}};
}

json::value control::requests_json(std::size_t limit) const {
  json::array out;
  const std::size_t first = log_.size() > limit ? log_.size() - limit : 0;
  for (std::size_t i = first; i < log_.size(); ++i) {
    const auto& r = log_[i];
    out.push_back(json::object{
        {"method", r.method}, {"target", r.target}, {"headers", r.headers}, {"body", r.body}});
  }
  return out;
}

void control::reset_counters() {
  total_ = 0;
  paths_.clear();
  for (auto& s : stats_) {
    s.calls = 0;
    s.max_in_flight = s.in_flight;  // calls still in flight stay counted as such
    s.times_ms.clear();
  }
  log_.clear();
  weight_used_ = 0;
}

reply control::handle(const api_request& req, market& m) {
  const std::string& p = req.sub;
  const std::string& method = req.method;
  auto wrong_method = [&] { return bad(405, method + " is not allowed on /_fake" + p); };
  if (p == "/faults") {
    if (method == "GET") {
      json::array list;
      for (const auto& f : faults_) list.push_back(f.to_json());
      return control_reply(200, json::object{{"faults", std::move(list)}});
    }
    if (method == "DELETE") {
      faults_.clear();
      return ok();
    }
    if (method != "POST") return wrong_method();
    auto parsed = parse_fault(req.body);
    if (auto* err = std::get_if<std::string>(&parsed)) return bad(400, *err);
    faults_.push_back(std::get<fault>(std::move(parsed)));
    return ok();
  }
  if (p == "/calls") {
    if (method != "GET") return wrong_method();
    return control_reply(200, calls_json());
  }
  if (p == "/reset") {
    if (method != "POST") return wrong_method();
    reset_counters();
    faults_.clear();
    return ok();
  }
  if (p == "/requests") {
    if (method != "GET") return wrong_method();
    std::size_t limit = max_logged;
    if (req.has("limit")) {
      try {
        limit = static_cast<std::size_t>(std::stoul(std::string(req.get("limit"))));
      } catch (const std::exception&) {
        return bad(400, "limit must be a non-negative integer");
      }
    }
    return control_reply(200, requests_json(limit));
  }
  if (p == "/values") {
    if (method == "GET") return control_reply(200, m.to_json());
    if (method != "PUT") return wrong_method();
    boost::system::error_code ec;
    json::value body = json::parse(req.body, ec);
    if (ec) return bad(400, "the body is not JSON: " + ec.message());
    if (auto err = m.apply(body, req.now_ms)) return bad(400, *err);
    return ok();
  }
  return bad(404,
             "no control route /_fake" + p +
                 " (faults, calls, reset, requests, values; see tools/fake-upstream/README.md)");
}

}  // namespace cryptodash::fake
