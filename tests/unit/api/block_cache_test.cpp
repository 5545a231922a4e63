#include "api/block_cache.h"

#include "api/message.h"

#include <gtest/gtest.h>
#include <sanitizer/asan_interface.h>

#include <algorithm>
#include <thread>
#include <type_traits>
#include <vector>

namespace cryptodash::api {
namespace {

TEST(BlockCache, AFreedBlockIsReusedForTheSameSizeClass) {
  block_cache_allocator<char> a;
  char* first = a.allocate(100);
  a.deallocate(first, 100);
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_TRUE(__asan_address_is_poisoned(first + 50));  // kept, but a use after free is caught
#endif
  char* again = a.allocate(120);  // 65..128 bytes: the same class
  EXPECT_EQ(again, first);
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_FALSE(__asan_address_is_poisoned(again + 119));
#endif
  char* other = a.allocate(40);  // another class: not that block
  EXPECT_NE(other, first);
  a.deallocate(again, 120);
  a.deallocate(other, 40);
}

TEST(BlockCache, LargeBlocksAndBlocksFreedOnAnotherThreadWork) {
  block_cache_allocator<char> a;
  char* big = a.allocate(5000);  // past the classes: plain operator new
  big[4999] = 'x';
  a.deallocate(big, 5000);

  // Freed on another thread, a block joins that thread's cache (freed when it ends; ASan's
  // leak check would see it otherwise), not this one's.
  char* here = a.allocate(64);
  std::thread([&] { block_cache_allocator<char>{}.deallocate(here, 64); }).join();
  char* mine = a.allocate(64);
  EXPECT_NE(mine, here);
  a.deallocate(mine, 64);
}

TEST(BlockCache, ManyBlocksOutstandingComeBackAndAreReused) {
  block_cache_allocator<char> a;
  std::vector<char*> blocks;
  for (int i = 0; i < 5000; ++i) blocks.push_back(a.allocate(90));  // beyond what is cached
  for (char* b : blocks) a.deallocate(b, 90);
  // Up to 64 KiB of them were kept (the rest went back to operator delete); those come first.
  char* reused = a.allocate(90);
  EXPECT_NE(std::find(blocks.begin(), blocks.begin() + 512, reused), blocks.begin() + 512);
  a.deallocate(reused, 90);
}

TEST(BlockCache, HeaderFieldsUseIt) {
  static_assert(std::is_same_v<fields::allocator_type, block_cache_allocator<char>>);
  response res{http::status::ok, 11};
  res.set(http::field::etag, "\"abc\"");
  res.set("X-Cache", "hit");
  EXPECT_EQ(res[http::field::etag], "\"abc\"");
  response moved = std::move(res);
  EXPECT_EQ(moved["X-Cache"], "hit");
}

}  // namespace
}  // namespace cryptodash::api
