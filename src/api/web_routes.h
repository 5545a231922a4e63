#pragma once

#include "api/router.h"

namespace cryptodash::api {

/// The web dashboard (SPEC section 4), from the files embedded by src/web:
///   GET /, /dashboard  → index.html
///   GET /assets/{name} → that file of the bundle; 404 not_found for any other name
/// Answers carry the file's Content-Type, its ETag (If-None-Match → 304) and
/// `Cache-Control: no-cache` (revalidated on every load, so a new build shows at once; the
/// revalidation costs a 304). Pages also get a Content-Security-Policy that allows only this
/// origin (and its WebSocket), so no script from elsewhere can run in them.
void add_web_routes(router& r);

}  // namespace cryptodash::api
