#include "app/logging.h"

#include <fmt/chrono.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <chrono>
#include <iterator>

namespace cryptodash::app {
namespace {

spdlog::level::level_enum to_spdlog(config::log_level level) {
  switch (level) {
    case config::log_level::trace: return spdlog::level::trace;
    case config::log_level::debug: return spdlog::level::debug;
    case config::log_level::info: return spdlog::level::info;
    case config::log_level::warn: return spdlog::level::warn;
    case config::log_level::error: return spdlog::level::err;
    case config::log_level::critical: return spdlog::level::critical;
    case config::log_level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

// One JSON object per line, for log collectors.
class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto secs = floor<seconds>(msg.time);
    auto millis = duration_cast<milliseconds>(msg.time - secs).count();
    auto level = spdlog::level::to_string_view(msg.level);
    auto text = boost::json::serialize(
        boost::json::string(std::string_view(msg.payload.data(), msg.payload.size())));
    fmt::format_to(std::back_inserter(dest),
                   R"({{"ts":"{:%Y-%m-%dT%H:%M:%S}.{:03}Z","level":"{}","msg":{}}})"
                   "\n",
                   secs, millis, std::string_view(level.data(), level.size()), text);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

}  // namespace

void setup_logging(const config::logging_settings& s) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("cryptodash", std::move(sink));
  if (s.format == config::log_format::json) {
    logger->set_formatter(std::make_unique<json_formatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(to_spdlog(s.level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

void set_log_level(config::log_level level) {
  spdlog::default_logger()->set_level(to_spdlog(level));
}

}  // namespace cryptodash::app
