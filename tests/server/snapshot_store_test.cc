// SnapshotStore: a Set is seen by the next Get on every thread, stores of the
// same type never see each other's values, and a replaced value is freed
// once the threads that cached it have read again.
#include "server/snapshot_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace agora_token {
namespace {

std::shared_ptr<const std::string> Value(const char* text) {
  return std::make_shared<const std::string>(text);
}

TEST(SnapshotStoreTest, GetSeesTheLatestSetOnThisAndOtherThreads) {
  SnapshotStore<std::string> store(Value("first"));
  EXPECT_EQ(*store.Get(), "first");
  std::string seen_elsewhere;
  std::thread([&] { seen_elsewhere = *store.Get(); }).join();
  EXPECT_EQ(seen_elsewhere, "first");

  store.Set(Value("second"));
  EXPECT_EQ(*store.Get(), "second");
  std::thread([&] { seen_elsewhere = *store.Get(); }).join();
  EXPECT_EQ(seen_elsewhere, "second");
}

TEST(SnapshotStoreTest, StoresOfOneTypeKeepTheirOwnValues) {
  SnapshotStore<std::string> a(Value("a"));
  SnapshotStore<std::string> b(Value("b"));
  for (int i = 0; i < 3; ++i) {  // alternating reads share this thread's one slot
    EXPECT_EQ(*a.Get(), "a");
    EXPECT_EQ(*b.Get(), "b");
  }
  auto replaced = std::make_unique<SnapshotStore<std::string>>(Value("old store"));
  EXPECT_EQ(*replaced->Get(), "old store");
  replaced = std::make_unique<SnapshotStore<std::string>>(Value("new store"));
  EXPECT_EQ(*replaced->Get(), "new store");  // never the old store's cached value
}

TEST(SnapshotStoreTest, AReplacedValueIsFreedOnceReadersMoveOn) {
  std::shared_ptr<const std::string> first = Value("first");
  std::weak_ptr<const std::string> watch = first;
  SnapshotStore<std::string> store(std::move(first));
  EXPECT_EQ(*store.Get(), "first");  // cached by this thread
  store.Set(Value("second"));
  EXPECT_FALSE(watch.expired());  // this thread's cache still holds it
  EXPECT_EQ(*store.Get(), "second");
  EXPECT_TRUE(watch.expired());
}

TEST(SnapshotStoreTest, ReadersRacingSetsAlwaysSeeAWholeValue) {
  SnapshotStore<std::string> store(Value("v0"));
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      std::string last = "v0";
      while (!stop.load()) {
        const std::shared_ptr<const std::string> v = store.Get();
        // Versions only move forward: "v10" after "v9", never back.
        if (v->size() < last.size() || (v->size() == last.size() && *v < last)) ++bad;
        last = *v;
      }
    });
  }
  for (int i = 1; i <= 2000; ++i)
    store.Set(std::make_shared<const std::string>("v" + std::to_string(i)));
  stop = true;
  for (std::thread& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(*store.Get(), "v2000");
}

}  // namespace
}  // namespace agora_token
