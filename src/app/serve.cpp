#include "api/data_routes.h"
#include "api/health_routes.h"
#include "api/http_server.h"
#include "api/ops_routes.h"
#include "api/report_routes.h"
#include "api/web_routes.h"
#include "app/commands.h"
#include "app/live.h"
#include "app/logging.h"
#include "app/report_runtime.h"
#include "app/runtime.h"
#include "config/live.h"
#include "market/payloads.h"
#include "reports/daily_job.h"
#include "scheduler/scheduler.h"
#include "store/redis/lease.h"

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <csignal>

namespace cryptodash::app {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void log_reload(const config::reload_report& report) {
  if (!report.problems.empty()) {
    for (const auto& p : report.problems) {
      spdlog::error("reload refused: {}", config::to_string(p));
    }
    return;
  }
  if (report.applied.empty() && report.needs_restart.empty()) {
    spdlog::info("reload: nothing changed");
  }
  if (!report.applied.empty()) spdlog::info("reload applied: {}", join(report.applied));
  if (!report.needs_restart.empty()) {
    spdlog::warn("reload: these changes need a restart: {}", join(report.needs_restart));
  }
}

}  // namespace

int run_serve(const settings_options& opts) {
  auto src = opts.to_sources();
  auto loaded = config::load(src);
  if (!loaded.ok()) {
    print_problems(loaded.problems);
    return exit_usage;
  }
  setup_logging(loaded.value.logging);
  config::settings_store store(loaded.value, src);
  store.on_reload([](const config::settings& s) { set_log_level(s.logging.level); });
  const auto settings = store.snapshot();

  spdlog::info("cryptodash {} starting: profile {}, cache strategy {}{}", CRYPTODASH_VERSION,
               config::to_string(settings->app.env),
               config::to_string(settings->effective_cache_strategy()),
               src.file ? ", settings from " + src.file->string() : std::string());

  // Signals are caught from here on, before any thread starts, so none can kill us half-way.
  boost::asio::io_context signal_context(1);
  boost::asio::signal_set signals(signal_context, SIGINT, SIGTERM, SIGHUP);

  const auto& clock = core::system_clock::instance();
  std::unique_ptr<runtime> rt;
  try {
    rt = std::make_unique<runtime>(*settings, clock);
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return exit_failure;
  }
  store.on_reload([&rt](const config::settings& s) { rt->reconfigure(s); });
  std::unique_ptr<report_runtime> reports;
  try {
    reports = std::make_unique<report_runtime>(*settings, rt->cache(), clock);
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return exit_failure;
  }

  api::lifecycle_state life;
  api::metrics registry;
  api::services services{rt->data(),      rt->cache(), rt->upstreams(), store, registry, life,
                         clock,           rt->redis()};
  services.reports = &reports->cache();
  services.render_pool = &reports->render_pool();

  // Live data: the WebSocket hub, the relay to other instances, the background refresh.
  auto& data = rt->data();
  api::ws_hub hub(
      store, clock,
      [&data]() -> boost::asio::awaitable<std::optional<std::string>> {
        auto sum = co_await data.dashboard_summary();
        co_return std::move(sum.json);
      },
      [&data](std::string symbol) -> boost::asio::awaitable<std::optional<std::string>> {
        auto found = co_await data.market(std::move(symbol));
        if (!found.value || market::is_not_found(found.value->payload)) co_return std::nullopt;
        co_return found.value->payload;
      });
  live_relay relay(hub, rt->redis(), settings->cache.l2.key_namespace, rt->instance_id());
  // With Redis, one instance (the lease holder) refreshes from the upstreams; without, each.
  std::unique_ptr<store::redis::lease> leader;
  if (rt->redis()) {
    leader = std::make_unique<store::redis::lease>(
        *rt->redis(), settings->cache.l2.key_namespace, rt->instance_id(),
        std::chrono::seconds(settings->scheduler.lease_seconds));
  }
  std::function<bool()> is_leader;
  if (leader) is_leader = [&leader] { return leader->is_leader(); };
  // The daily reports: background work like the refresh (on while scheduler.enabled).
  reports::daily_reports daily(store, data, reports->cache(), clock, is_leader);
  scheduler::scheduler refresher(
      data, rt->upstreams(), store, clock,
      scheduler::publisher{
          [&relay](const std::string& json) { relay.dashboard(json); },
          [&relay](const std::string& symbol, const std::string& json) {
            relay.market(symbol, json);
          }},
      scheduler::sources{[&relay] { return relay.watched_symbols(); }, std::move(is_leader)});
  services.live = api::live_hooks{
      [&refresher] { return refresher.refresh_dashboard(); },
      [&refresher](std::string_view symbol) { refresher.requested(symbol); },
      [&refresher](std::string_view provider) { return refresher.interval_of(provider); },
      [&refresher] { return std::string(scheduler::to_string(refresher.current_strategy())); },
      [&refresher] { return refresher.stats(); },
      [&hub] { return hub.stats(); },
      [&daily] { return daily.stats(); }};

  api::router routes;
  api::add_health_routes(routes, life);
  api::add_data_routes(routes, services);
  api::add_ops_routes(routes, services);
  api::add_web_routes(routes);
  api::add_report_routes(routes, services);
  api::http_server server(settings->server, routes);
  server.set_websocket("/ws", [&hub](boost::asio::ip::tcp::socket socket, api::request req,
                                     boost::asio::ip::address remote,
                                     std::shared_ptr<void> ticket) {
    hub.serve(std::move(socket), std::move(req), std::move(remote), std::move(ticket));
  });
  server.set_observer([&services](const api::request_context& ctx, unsigned status,
                                  std::chrono::nanoseconds took) {
    api::observe_request(services, ctx, status, took);
  });
  {
    // The latest reports in L1 before the first reader; a database that is down now is not
    // fatal (readers get 503 until it is back).
    boost::asio::io_context prime_context(1);
    auto primed = boost::asio::co_spawn(prime_context, reports->cache().prime(),
                                        boost::asio::use_future);
    prime_context.run();
    if (auto n = primed.get()) {
      spdlog::info("reports: {} latest report(s) cached", *n);
    } else {
      spdlog::warn("reports: cannot prime the report cache: {}", n.error().message());
    }
  }
  if (auto ec = server.start()) {
    spdlog::critical("cannot listen on {}:{}: {}", settings->server.listen_addr,
                     settings->server.port, ec.message());
    return exit_failure;
  }
  life.ready = true;
  if (leader) leader->start();
  refresher.start();
  daily.start();
  spdlog::info("listening on {}:{}", settings->server.listen_addr, server.port());

  // L1 maintenance (expiry) once a second, until a stop signal.
  boost::asio::steady_timer maintenance(signal_context);
  std::function<void(const boost::system::error_code&)> maintain =
      [&](const boost::system::error_code& ec) {
        if (ec) return;
        rt->cache().maintain();
        maintenance.expires_after(std::chrono::seconds(1));
        maintenance.async_wait(maintain);
      };
  maintenance.expires_after(std::chrono::seconds(1));
  maintenance.async_wait(maintain);

  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
          spdlog::info("SIGHUP: reloading settings");
          log_reload(store.reload());
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("{}: draining (up to {} ms)", signo == SIGTERM ? "SIGTERM" : "SIGINT",
                     settings->server.shutdown_grace_ms);
        maintenance.cancel();
      };
  signals.async_wait(on_signal);
  signal_context.run();

  life.draining = true;
  refresher.stop();
  hub.shutdown();
  server.shutdown(std::chrono::milliseconds(settings->server.shutdown_grace_ms));
  daily.stop();  // a report being written finishes while the server drains
  server.join();
  reports->join_pools();  // queued renders and database calls, before the server goes
  rt->flush();
  spdlog::info("stopped after serving {} requests", server.requests_served());
  spdlog::default_logger()->flush();
  return exit_ok;
}

}  // namespace cryptodash::app
