#include "config/secret.h"

namespace cryptodash::config {

std::string credential_url::redacted() const {
  // Done by hand rather than with Boost.URL so that even a malformed URL (which validation
  // will refuse) is never printed with its password.
  std::string out = value_;
  auto scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    auto auth_begin = scheme_end + 3;
    auto auth_end = out.find_first_of("/?#", auth_begin);
    if (auth_end == std::string::npos) auth_end = out.size();
    auto at = out.rfind('@', auth_end);
    if (at != std::string::npos && at >= auth_begin) {
      auto colon = out.find(':', auth_begin);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // A password given as a query parameter (libpq accepts ?password=…).
  for (std::size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    if (pos == 0 || (out[pos - 1] != '?' && out[pos - 1] != '&')) continue;
    auto value_begin = pos + 9;
    auto value_end = out.find_first_of("&#", value_begin);
    if (value_end == std::string::npos) value_end = out.size();
    out.replace(value_begin, value_end - value_begin, "***");
  }
  return out;
}

}  // namespace cryptodash::config
