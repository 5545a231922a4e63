#include "cache/epoch.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cryptodash::cache {
namespace {

struct tracked {
  explicit tracked(std::atomic<int>& c) : count(c) {}
  ~tracked() { ++count; }
  std::atomic<int>& count;
};

TEST(Epoch, RetiredObjectsAreFreedOnceNoGuardCanSeeThem) {
  epoch::drain();
  std::atomic<int> freed{0};
  epoch::retire(new tracked(freed));
  epoch::drain();
  EXPECT_EQ(freed.load(), 1);
}

TEST(Epoch, AnOpenGuardHoldsRetiredObjects) {
  epoch::drain();
  std::atomic<int> freed{0};
  std::atomic<bool> inside{false};
  std::atomic<bool> release{false};
  std::thread reader([&] {
    epoch::guard g;
    inside = true;
    while (!release) std::this_thread::yield();
  });
  while (!inside) std::this_thread::yield();
  epoch::retire(new tracked(freed));
  for (int i = 0; i < 10; ++i) epoch::collect();
  EXPECT_EQ(freed.load(), 0);  // the reader's guard is still open
  release = true;
  reader.join();
  epoch::drain();
  EXPECT_EQ(freed.load(), 1);
}

TEST(Epoch, GuardsNest) {
  epoch::drain();
  std::atomic<int> freed{0};
  std::atomic<int> stage{0};
  std::thread reader([&] {
    epoch::guard outer;
    {
      epoch::guard inner;
    }
    stage = 1;  // inner closed, outer still open
    while (stage != 2) std::this_thread::yield();
  });
  while (stage != 1) std::this_thread::yield();
  epoch::retire(new tracked(freed));
  for (int i = 0; i < 10; ++i) epoch::collect();
  EXPECT_EQ(freed.load(), 0);
  stage = 2;
  reader.join();
  epoch::drain();
  EXPECT_EQ(freed.load(), 1);
}

}  // namespace
}  // namespace cryptodash::cache
