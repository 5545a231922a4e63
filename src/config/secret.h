#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace cryptodash::config {

/// A credential (API key, admin token). It holds the text but never shows it: fmt/spdlog print
/// "<redacted>" (or "" when unset), and `config show` and /admin/config do the same. Read the
/// text with reveal() only at the point where it is sent or compared.
class secret {
 public:
  secret() = default;
  explicit secret(std::string value) noexcept : value_(std::move(value)) {}

  const std::string& reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  /// What may be shown of it: "" when unset, "<redacted>" otherwise.
  std::string_view redacted() const noexcept { return value_.empty() ? "" : "<redacted>"; }

  friend bool operator==(const secret&, const secret&) = default;

 private:
  std::string value_;
};

/// A URL that may carry credentials: redis://user:password@host:6379/0,
/// postgresql://user:password@host/db?password=…  redacted() replaces the password in the
/// userinfo and any `password=` query parameter with "***"; fmt prints the redacted form.
class credential_url {
 public:
  credential_url() = default;
  explicit credential_url(std::string value) noexcept : value_(std::move(value)) {}

  const std::string& reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  std::string redacted() const;

  friend bool operator==(const credential_url&, const credential_url&) = default;

 private:
  std::string value_;
};

}  // namespace cryptodash::config

template <>
struct fmt::formatter<cryptodash::config::secret> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const cryptodash::config::secret& s, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(s.redacted(), ctx);
  }
};

template <>
struct fmt::formatter<cryptodash::config::credential_url> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const cryptodash::config::credential_url& u, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(u.redacted(), ctx);
  }
};
