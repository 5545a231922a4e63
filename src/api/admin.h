#pragma once

#include "api/message.h"
#include "config/secret.h"

#include <optional>
#include <string_view>

namespace cryptodash::api {

/// Whether `presented` equals `expected`, in time that depends on neither (both are hashed
/// with SHA-256 and the digests compared with CRYPTO_memcmp), so that response times tell an
/// attacker nothing about how much of a guess was right.
bool constant_time_equal(std::string_view presented, std::string_view expected) noexcept;

/// The admin gate of SPEC section 4: with no token configured, 403 `admin_disabled`; without a
/// `Authorization: Bearer <token>` header or with a wrong token, 401 `unauthorized` (with
/// `WWW-Authenticate: Bearer`). nullopt when the request may go on.
std::optional<response> refuse_unless_admin(const request_context& ctx,
                                            const config::secret& token);

}  // namespace cryptodash::api
