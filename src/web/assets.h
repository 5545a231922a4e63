#pragma once

// The web dashboard's files (web/, bundled by esbuild at build time), embedded in the binary so
// that `cryptodash serve` needs nothing beside itself.

#include <span>
#include <string_view>

namespace cryptodash::web {

/// One embedded file. Every view points into static storage.
struct asset {
  std::string_view path;          ///< from the bundle's root: "/index.html", "/assets/app.js"
  std::string_view content_type;  ///< from the extension, with charset=utf-8 for text
  std::string_view etag;          ///< quoted; the start of the content's SHA-256
  std::string_view body;
};

/// Every embedded file, in path order.
std::span<const asset> assets() noexcept;

/// The file at `path` (exact match), or null.
const asset* find(std::string_view path) noexcept;

}  // namespace cryptodash::web
