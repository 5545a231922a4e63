#include "upstream/providers/fear_greed.h"

#include "upstream/providers/common.h"
#include "upstream/providers/json_read.h"

#include <string>

namespace cryptodash::upstream::fear_greed {

core::result<call_request> fng_request(int limit) {
  if (limit < 1 || limit > max_limit) return make_error_code(core::errc::invalid_argument);
  return target_builder("/fng/").add("limit", std::to_string(limit)).get("fng");
}

core::result<std::vector<reading>> parse_fng(const call_response& r, core::time_point now) {
  auto doc = parse_body(r);
  if (!doc) return doc.error();
  json_reader rd;
  const auto& o = rd.object(*doc);
  const auto* error = rd.object(o, "metadata").if_contains("error");
  if (!rd.ok() || error == nullptr) return make_error_code(core::errc::bad_response);
  if (!error->is_null()) return make_error_code(core::errc::upstream_error);

  const auto& data = rd.array(o, "data");
  rd.check(!data.empty());
  std::vector<reading> out;
  out.reserve(data.size());
  for (const auto& v : data) {
    const auto& e = rd.object(v);
    reading x;
    auto value = rd.integer_string(e, "value");
    rd.check(value >= 0 && value <= 100);
    x.value = static_cast<int>(value);
    x.classification = rd.name(e, "value_classification");
    x.timestamp = rd.unix_seconds(rd.integer_string(e, "timestamp"), now);
    if (e.contains("time_until_update")) {
      auto s = rd.integer_string(e, "time_until_update");
      rd.check(s >= 0);
      x.time_until_update = std::chrono::seconds(s);
    }
    if (!rd.ok()) return rd.error();
    out.push_back(std::move(x));
  }
  if (!rd.ok()) return rd.error();
  return out;
}

}  // namespace cryptodash::upstream::fear_greed
