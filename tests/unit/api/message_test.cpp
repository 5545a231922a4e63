// The head written for a cached answer without a response object (append_cached_head) is the
// one the full path writes: cached_response, then the server's version, keep-alive and framing.

#include "api/message.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

namespace cryptodash::api {
namespace {

using namespace std::chrono_literals;

const core::time_point t0{std::chrono::seconds(1'780'000'000) + 123456789ns};

cache::entry_ptr make_entry(std::string payload) {
  return std::make_shared<const cache::entry>(
      cache::entry{std::move(payload), t0, t0 + 60s, t0 + 3600s});
}

// What the server writes for `res` on the full path.
std::string full_head(response res, unsigned version, bool keep_alive) {
  finish_response(res, version, keep_alive);
  std::string out;
  append_head(res, out);
  return out;
}

struct head_case {
  unsigned version;
  bool keep_alive;
  std::string if_none_match;  // sent when not empty
};

class CachedHead : public ::testing::TestWithParam<head_case> {};

// Both ways, for one lookup: the same bytes and the same status.
void expect_same_head(const head_case& c, const cache::lookup& found, core::time_point now,
                      http::status status) {
  request req{http::verb::get, "/api/crypto/market/btc", c.version};
  if (!c.if_none_match.empty()) req.set(http::field::if_none_match, c.if_none_match);
  request_context ctx{req, "/api/crypto/market/btc", {}, {}, {}};

  const auto full = full_head(cached_response(ctx, found, now, status), c.version, c.keep_alive);
  std::string fast;
  const auto written = append_cached_head(ctx, {found, status, now}, c.keep_alive, fast);
  EXPECT_EQ(fast, full);
  const auto code = full.substr(9, 3);
  EXPECT_EQ(std::to_string(static_cast<unsigned>(written)), code);
}

TEST_P(CachedHead, AFreshHitIsWrittenAsTheFullPathWritesIt) {
  const auto e = make_entry(R"({"symbol":"btc","price_usd":64321.5})");
  expect_same_head(GetParam(), {e, cache::source::l1, true, {}}, t0 + 7s, http::status::ok);
}

TEST_P(CachedHead, ACachedNotFoundIs404Alike) {
  const auto e = make_entry(R"({"not_found":"unknown symbol"})");
  expect_same_head(GetParam(), {e, cache::source::l1, true, {}}, t0 + 2s, http::status::not_found);
}

TEST_P(CachedHead, StaleAndJustComputedEntriesSayWhatTheyAre) {
  const auto e = make_entry("{}");
  expect_same_head(GetParam(), {e, cache::source::l2, false, {}}, t0 + 90s, http::status::ok);
  expect_same_head(GetParam(), {e, cache::source::computed, true, {}}, t0, http::status::ok);
}

INSTANTIATE_TEST_SUITE_P(VersionsKeepAliveAndValidators, CachedHead,
                         ::testing::Values(head_case{11, true, ""}, head_case{11, false, ""},
                                           head_case{10, true, ""}, head_case{10, false, ""},
                                           head_case{11, true, "\"other\""},
                                           head_case{11, true, "*"}, head_case{10, true, "*"}));

TEST(CachedHeadText, NamesTheEntryAndItsFreshness) {
  const auto e = make_entry("0123456789");
  request req{http::verb::get, "/x", 11};
  request_context ctx{req, "/x", {}, {}, {}};
  std::string out;
  append_cached_head(ctx, {{e, cache::source::l1, true, {}}, http::status::ok, t0 + 7s}, true, out);
  const auto tag = entity_tag(*e);
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: " + tag +
                     "\r\nCache-Control: public, max-age=53\r\nAge: 7\r\nX-Cache: hit\r\n"
                     "Content-Length: 10\r\n\r\n");
}

TEST(CachedHeadText, AMatchingIfNoneMatchIs304WithoutALength) {
  const auto e = make_entry("0123456789");
  request req{http::verb::get, "/x", 11};
  req.set(http::field::if_none_match, "W/" + entity_tag(*e));
  request_context ctx{req, "/x", {}, {}, {}};
  std::string out;
  const auto status = append_cached_head(
      ctx, {{e, cache::source::l1, true, {}}, http::status::ok, t0 + 7s}, true, out);
  EXPECT_EQ(status, http::status::not_modified);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 304 Not Modified\r\n")) << out;
  // RFC 9110 15.4.5: a Content-Length on a 304 would have to be the 200's length.
  EXPECT_EQ(out.find("Content-Length"), std::string::npos) << out;
}

}  // namespace
}  // namespace cryptodash::api
