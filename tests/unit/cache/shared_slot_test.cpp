#include "cache/shared_slot.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace cryptodash::cache {
namespace {

TEST(SharedSlot, HoldsSharesAndExchangesTheValue) {
  auto first = std::make_shared<const std::string>("first");
  std::weak_ptr<const std::string> watch = first;
  shared_slot<std::string> slot(first);
  EXPECT_EQ(slot.get(), first.get());  // the object's address is the pointer's first word
  EXPECT_EQ(first.use_count(), 2);     // the slot's reference and ours
  auto loaded = slot.load();
  EXPECT_EQ(loaded, first);
  EXPECT_EQ(first.use_count(), 3);
  EXPECT_EQ(slot.read([](const std::shared_ptr<const std::string>& v) { return v->size(); }), 5U);
  EXPECT_EQ(first.use_count(), 3);  // read() takes no reference

  auto second = std::make_shared<const std::string>("second");
  auto old = slot.exchange(second);
  EXPECT_EQ(old, first);  // handed back with the slot's reference
  EXPECT_EQ(first.use_count(), 3);
  EXPECT_EQ(slot.get(), second.get());
  EXPECT_EQ(*slot.load(), "second");
  old.reset();
  loaded.reset();
  first.reset();
  EXPECT_TRUE(watch.expired());
}

TEST(SharedSlot, AnAliasingPointerKeepsItsOwnerAlive) {
  struct pair_of {
    std::string a, b;
  };
  auto owner = std::make_shared<const pair_of>(pair_of{"a", "b"});
  std::weak_ptr<const pair_of> watch = owner;
  {
    shared_slot<std::string> slot(std::shared_ptr<const std::string>(owner, &owner->b));
    owner.reset();
    EXPECT_FALSE(watch.expired());  // the slot owns it through the alias
    EXPECT_EQ(*slot.get(), "b");
    EXPECT_EQ(*slot.load(), "b");
  }
  EXPECT_TRUE(watch.expired());  // and lets it go when destroyed
}

TEST(SharedSlot, AnEmptyPointerIsHeld) {
  shared_slot<int> slot(nullptr);
  EXPECT_EQ(slot.get(), nullptr);
  EXPECT_EQ(slot.load(), nullptr);
  auto v = std::make_shared<const int>(7);
  EXPECT_EQ(slot.exchange(v), nullptr);
  EXPECT_EQ(*slot.load(), 7);
}

}  // namespace
}  // namespace cryptodash::cache
