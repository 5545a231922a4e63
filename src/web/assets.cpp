#include "web/assets.h"

#include <algorithm>

namespace cryptodash::web {

const asset* find(std::string_view path) noexcept {
  const auto all = assets();
  auto it = std::find_if(all.begin(), all.end(), [&](const asset& a) { return a.path == path; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace cryptodash::web
