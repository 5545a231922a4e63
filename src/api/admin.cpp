#include "api/admin.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace cryptodash::api {

bool constant_time_equal(std::string_view presented, std::string_view expected) noexcept {
  unsigned char a[SHA256_DIGEST_LENGTH];
  unsigned char b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

std::optional<response> refuse_unless_admin(const request_context& ctx,
                                            const config::secret& token) {
  const auto version = ctx.req.version();
  if (token.empty()) {
    return error_response(http::status::forbidden, "admin_disabled",
                          "admin endpoints are disabled: no admin token is configured", version);
  }
  std::string_view header = ctx.req[http::field::authorization];
  constexpr std::string_view scheme = "Bearer ";
  const bool has_bearer = header.size() > scheme.size() &&
                          (header.substr(0, scheme.size()) == scheme ||
                           header.substr(0, scheme.size()) == "bearer ");
  if (!has_bearer || !constant_time_equal(header.substr(scheme.size()), token.reveal())) {
    auto res = error_response(http::status::unauthorized, "unauthorized",
                              has_bearer ? "wrong admin token"
                                         : "this endpoint needs Authorization: Bearer <token>",
                              version);
    res.set(http::field::www_authenticate, "Bearer");
    return res;
  }
  return std::nullopt;
}

}  // namespace cryptodash::api
