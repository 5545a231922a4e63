#include "store/disk/disk_tier.h"
#include "store/disk/record.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <stdlib.h>

namespace cryptodash::store::disk {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace fs = std::filesystem;

class DiskTier : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "cryptodash-disk-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  disk_options opts(std::uint64_t max_bytes = 1 << 20) {
    return {dir_, max_bytes, config::fsync_policy::never, 1024};
  }
  static cache::entry_ptr value(std::string payload) {
    core::manual_clock c;
    auto e = std::make_shared<cache::entry>();
    e->payload = std::move(payload);
    e->created_at = c.now();
    e->fresh_until = c.now() + 60s;
    e->stale_until = c.now() + 24h;
    return e;
  }
  template <class Awaitable>
  static auto run(Awaitable a) {
    asio::io_context ioc;
    auto f = asio::co_spawn(ioc, std::move(a), asio::use_future);
    ioc.run();
    return f.get();
  }
  static core::cache_key key(const char* symbol) { return *core::cache_key::market(symbol); }

  fs::path dir_;
};

TEST_F(DiskTier, StoresAndReadsBack) {
  disk_tier t(opts());
  EXPECT_EQ(run(t.get(key("btc"))).value(), nullptr);
  run(t.put(key("btc"), value("64321.5"), {}));
  t.flush();
  auto got = run(t.get(key("btc")));
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->payload, "64321.5");
  auto s = t.stats();
  EXPECT_EQ(s.entries, 1U);
  EXPECT_GT(s.bytes, 0U);
  EXPECT_EQ(s.hits, 1U);
  EXPECT_EQ(s.misses, 1U);
}

TEST_F(DiskTier, SurvivesARestart) {
  {
    disk_tier t(opts());
    run(t.put(key("eth"), value("3000"), {}));
  }  // the destructor writes what is queued
  disk_tier again(opts());
  auto got = run(again.get(key("eth")));
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->payload, "3000");
  EXPECT_EQ(again.discarded_at_start(), 0U);
}

TEST_F(DiskTier, FileNamesComeFromAHashNotTheKey) {
  disk_tier t(opts());
  run(t.put(key("btc"), value("x"), {}));
  t.flush();
  std::vector<std::string> names;
  for (const auto& f : fs::directory_iterator(dir_)) names.push_back(f.path().filename().string());
  ASSERT_EQ(names.size(), 1U);
  EXPECT_EQ(names[0], file_name("market:btc"));
  EXPECT_EQ(names[0].size(), 20U);
  EXPECT_EQ(names[0].find("btc"), std::string::npos);
}

TEST_F(DiskTier, DiscardsTornAndCorruptFilesAtStart) {
  {
    disk_tier t(opts());
    run(t.put(key("btc"), value("good"), {}));
    run(t.put(key("eth"), value("also good"), {}));
  }
  // A torn write that never got renamed, a record cut short, one with a flipped byte, and
  // one holding another key's record.
  std::ofstream(dir_ / ".tmp-0123456789abcdef.rec-1-1") << "partial";
  auto eth = dir_ / file_name("market:eth");
  auto whole = encode_record("market:sol", *value("sol"));
  std::ofstream(dir_ / file_name("market:sol"), std::ios::binary) << whole.substr(0, whole.size() / 2);
  {
    std::fstream f(eth, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('!');
  }
  std::ofstream(dir_ / file_name("market:ada"), std::ios::binary)
      << encode_record("market:dot", *value("dot"));

  disk_tier t(opts());
  EXPECT_EQ(t.discarded_at_start(), 4U);
  EXPECT_EQ(t.stats().entries, 1U);
  EXPECT_EQ((*run(t.get(key("btc"))))->payload, "good");
  EXPECT_EQ(run(t.get(key("eth"))).value(), nullptr);
  EXPECT_FALSE(fs::exists(eth));
}

TEST_F(DiskTier, ACorruptRecordFoundOnReadIsDeletedAndMissed) {
  disk_tier t(opts());
  run(t.put(key("btc"), value("good"), {}));
  t.flush();
  auto path = dir_ / file_name("market:btc");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "garbage";
  EXPECT_EQ(run(t.get(key("btc"))).value(), nullptr);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(t.stats().corrupt, 1U);
  EXPECT_EQ(t.stats().entries, 0U);
}

TEST_F(DiskTier, StaysWithinItsByteBoundOldestFirst) {
  const auto one = encode_record("market:k0", *value(std::string(1000, 'x'))).size();
  disk_tier t(opts(one * 5 + 10));
  for (int i = 0; i < 12; ++i) {
    std::string sym = "k" + std::to_string(i);
    run(t.put(*core::cache_key::market(sym), value(std::string(1000, 'x')), {}));
    t.flush();
  }
  EXPECT_EQ(t.stats().entries, 5U);
  EXPECT_LE(t.stats().bytes, one * 5 + 10);
  EXPECT_EQ(run(t.get(*core::cache_key::market("k0"))).value(), nullptr);
  EXPECT_NE(run(t.get(*core::cache_key::market("k11"))).value(), nullptr);
}

TEST_F(DiskTier, ClearsByPatternAndErases) {
  disk_tier t(opts());
  run(t.put(key("btc"), value("1"), {}));
  run(t.put(key("eth"), value("2"), {}));
  run(t.put(*core::cache_key::tokenomics("bitcoin"), value("3"), {}));
  t.flush();
  EXPECT_EQ(run(t.clear("market:*")).value(), 2U);
  EXPECT_EQ(run(t.get(key("btc"))).value(), nullptr);
  EXPECT_NE(run(t.get(*core::cache_key::tokenomics("bitcoin"))).value(), nullptr);
  run(t.erase(*core::cache_key::tokenomics("bitcoin")));
  t.flush();
  EXPECT_EQ(t.stats().entries, 0U);
}

TEST_F(DiskTier, PendingWritesOfAKeyCoalesce) {
  disk_tier t(opts());
  for (int i = 0; i < 100; ++i) run(t.put(key("btc"), value(std::to_string(i)), {}));
  t.flush();
  EXPECT_EQ((*run(t.get(key("btc"))))->payload, "99");
  EXPECT_LE(t.stats().writes, 100U);
}

TEST(Record, RoundTripsAndRefusesDamage) {
  cache::entry e;
  e.payload = "p";
  auto bytes = encode_record("market:btc", e);
  auto r = decode_record(bytes);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->key, "market:btc");
  EXPECT_EQ(r->value.payload, "p");
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    EXPECT_FALSE(decode_record(bad)) << i;
  }
  EXPECT_FALSE(decode_record(bytes.substr(0, bytes.size() - 1)));
}

}  // namespace
}  // namespace cryptodash::store::disk
