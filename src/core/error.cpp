#include "core/error.h"

#include <string>

namespace cryptodash::core {
namespace {

class category final : public boost::system::error_category {
 public:
  // A fixed id makes categories from different shared objects compare equal.
  constexpr category() noexcept : boost::system::error_category(0x63727970746f6461ULL) {}

  const char* name() const noexcept override { return "cryptodash"; }

  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::invalid_argument: return "invalid argument";
      case errc::not_found: return "not found";
      case errc::timeout: return "timed out";
      case errc::unavailable: return "unavailable";
      case errc::rate_limited: return "rate limited";
      case errc::circuit_open: return "circuit open";
      case errc::budget_exhausted: return "budget exhausted";
      case errc::upstream_error: return "upstream error";
      case errc::bad_response: return "malformed upstream response";
      case errc::corrupt: return "corrupt entry";
      case errc::unauthorized: return "unauthorized";
      case errc::forbidden: return "forbidden";
      case errc::too_large: return "too large";
      case errc::cancelled: return "cancelled";
      case errc::io_error: return "i/o error";
    }
    return "unknown cryptodash error " + std::to_string(ev);
  }
};

constinit const category the_category;

}  // namespace

const boost::system::error_category& error_category() noexcept {
  return the_category;
}

boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), the_category};
}

std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::invalid_argument: return "invalid_argument";
    case errc::not_found: return "not_found";
    case errc::timeout: return "timeout";
    case errc::unavailable: return "unavailable";
    case errc::rate_limited: return "rate_limited";
    case errc::circuit_open: return "circuit_open";
    case errc::budget_exhausted: return "budget_exhausted";
    case errc::upstream_error: return "upstream_error";
    case errc::bad_response: return "bad_response";
    case errc::corrupt: return "corrupt";
    case errc::unauthorized: return "unauthorized";
    case errc::forbidden: return "forbidden";
    case errc::too_large: return "too_large";
    case errc::cancelled: return "cancelled";
    case errc::io_error: return "io_error";
  }
  return "unknown";
}

}  // namespace cryptodash::core
