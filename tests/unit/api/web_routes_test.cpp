#include "api/web_routes.h"

#include "dispatch.h"
#include "web/assets.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <regex>
#include <string>

namespace cryptodash::api {
namespace {

namespace json = boost::json;

response get(const router& r, const std::string& target, std::string_view if_none_match = {}) {
  request req{http::verb::get, target, 11};
  if (!if_none_match.empty()) req.set(http::field::if_none_match, if_none_match);
  return testing::dispatch(r, req);
}

class WebRoutes : public ::testing::Test {
 protected:
  WebRoutes() { add_web_routes(r_); }
  router r_;
};

TEST_F(WebRoutes, ServeThePageAtTheRootAndAtDashboard) {
  auto root = get(r_, "/");
  ASSERT_EQ(root.result(), http::status::ok);
  EXPECT_EQ(root[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(std::string(root.body().view()).find("<html"), std::string::npos);
  EXPECT_EQ(root[http::field::cache_control], "no-cache");
  EXPECT_NE(root["Content-Security-Policy"].find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(root["X-Content-Type-Options"], "nosniff");
  EXPECT_FALSE(root[http::field::etag].empty());

  auto dash = get(r_, "/dashboard");
  ASSERT_EQ(dash.result(), http::status::ok);
  EXPECT_EQ(dash.body().view(), root.body().view());
  EXPECT_EQ(dash[http::field::etag], root[http::field::etag]);
}

TEST_F(WebRoutes, EveryAssetThePageNamesIsServedWithItsType) {
  const std::string page(get(r_, "/").body().view());
  const std::regex ref(R"re((?:src|href)="(/assets/[^"]+)")re");
  int scripts = 0;
  int sheets = 0;
  for (std::sregex_iterator it(page.begin(), page.end(), ref), end; it != end; ++it) {
    const std::string path = (*it)[1];
    auto res = get(r_, path);
    ASSERT_EQ(res.result(), http::status::ok) << path;
    EXPECT_FALSE(res.body().empty()) << path;
    const auto type = std::string(res[http::field::content_type]);
    if (path.ends_with(".js")) {
      ++scripts;
      EXPECT_EQ(type, "text/javascript; charset=utf-8");
    } else if (path.ends_with(".css")) {
      ++sheets;
      EXPECT_EQ(type, "text/css; charset=utf-8");
    }
    EXPECT_TRUE(res["Content-Security-Policy"].empty()) << "only pages carry the policy";
  }
  EXPECT_GE(scripts, 1) << page;
  EXPECT_GE(sheets, 1) << page;
}

TEST_F(WebRoutes, AMatchingETagGets304WithoutABody) {
  const auto tag = std::string(get(r_, "/assets/app.js")[http::field::etag]);
  ASSERT_FALSE(tag.empty());
  auto res = get(r_, "/assets/app.js", tag);
  EXPECT_EQ(res.result(), http::status::not_modified);
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(res[http::field::etag], tag);
  EXPECT_EQ(get(r_, "/assets/app.js", R"("someone-else")").result(), http::status::ok);
}

TEST_F(WebRoutes, UnknownFilesAre404AndPathsCannotEscape) {
  auto res = get(r_, "/assets/nope.js");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(json::parse(res.body().view()).at("error").at("code"), "not_found");
  EXPECT_EQ(get(r_, "/assets/../index.html").result(), http::status::bad_request);
  EXPECT_EQ(get(r_, "/assets/%2e%2e%2findex.html").result(), http::status::not_found);
  EXPECT_EQ(get(r_, "/index.html").result(), http::status::not_found) << "only / and /dashboard";
}

TEST(WebAssets, TableIsSortedWithTypesAndTags) {
  const auto all = web::assets();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_TRUE(all[i].path.starts_with("/")) << all[i].path;
    EXPECT_FALSE(all[i].content_type.empty()) << all[i].path;
    EXPECT_EQ(all[i].etag.size(), 22U) << all[i].path;  // 20 hex digits, quoted
    if (i > 0) {
      EXPECT_LT(all[i - 1].path, all[i].path);
    }
    EXPECT_EQ(web::find(all[i].path), &all[i]);
  }
  EXPECT_EQ(web::find("/nope"), nullptr);
}

}  // namespace
}  // namespace cryptodash::api
