#include "config/live.h"
#include "test_sources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>


namespace cryptodash::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class SettingsStore : public ::testing::Test {
 protected:
  void SetUp() override {
    write("[cache.ttl]\nmarket_seconds = 60\n[server]\nport = 8080\n");
    src_ = test::no_file();
    src_.file = file_.path();
  }
  void write(const std::string& text) { file_.write(text); }

  settings_store make_store() {
    auto r = load(src_);
    EXPECT_TRUE(r.ok()) << test::describe(r.problems);
    return settings_store(r.value, src_);
  }

  test::temp_file file_;
  sources src_;
};

TEST_F(SettingsStore, AppliesLiveChangesAndReportsRestartOnes) {
  auto store = make_store();
  auto before = store.snapshot();
  int notified = 0;
  store.on_reload([&](const settings& s) {
    ++notified;
    EXPECT_EQ(s.cache.ttl.market_seconds, 30);
  });

  write("[cache.ttl]\nmarket_seconds = 30\n[server]\nport = 9090\n[logging]\nlevel = \"warn\"\n");
  auto report = store.reload();
  EXPECT_THAT(report.problems, IsEmpty());
  EXPECT_THAT(report.applied, UnorderedElementsAre("cache.ttl.market_seconds", "logging.level"));
  EXPECT_THAT(report.needs_restart, ElementsAre("server.port"));
  EXPECT_EQ(notified, 1);

  auto after = store.snapshot();
  EXPECT_EQ(after->cache.ttl.market_seconds, 30);
  EXPECT_EQ(after->logging.level, log_level::warn);
  EXPECT_EQ(after->server.port, 8080);  // needs a restart: unchanged
  // An old snapshot stays as it was for whoever still holds it.
  EXPECT_EQ(before->cache.ttl.market_seconds, 60);
}

TEST_F(SettingsStore, RefusesInvalidSettingsWhole) {
  auto store = make_store();
  write("[cache.ttl]\nmarket_seconds = 30\n[cache.l1]\nttl_seconds = -4\n");
  auto report = store.reload();
  ASSERT_EQ(report.problems.size(), 1U);
  EXPECT_EQ(report.problems[0].setting, "cache.l1.ttl_seconds");
  EXPECT_THAT(report.applied, IsEmpty());
  EXPECT_EQ(store.snapshot()->cache.ttl.market_seconds, 60);
}

TEST_F(SettingsStore, NothingChangedAppliesNothing) {
  auto store = make_store();
  int notified = 0;
  store.on_reload([&](const settings&) { ++notified; });
  auto report = store.reload();
  EXPECT_THAT(report.applied, IsEmpty());
  EXPECT_THAT(report.needs_restart, IsEmpty());
  EXPECT_EQ(notified, 0);
}

}  // namespace
}  // namespace cryptodash::config
