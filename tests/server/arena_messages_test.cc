// ArenaMessageAllocator: messages live on the holder's arena, a released
// holder is reused (empty) by the next call on the same thread, and a batch
// larger than the first block still works.
#include "server/arena_messages.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "agora/token/v1/token_service.pb.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;
using BatchAllocator = ArenaMessageAllocator<v1::BuildTokensRequest, v1::BuildTokensResponse>;

TEST(ArenaMessageAllocatorTest, MessagesLiveOnTheHoldersArena) {
  BatchAllocator allocator;
  grpc::MessageHolder<v1::BuildTokensRequest, v1::BuildTokensResponse>* holder =
      allocator.AllocateMessages();
  ASSERT_NE(holder->request(), nullptr);
  ASSERT_NE(holder->response(), nullptr);
  EXPECT_NE(holder->request()->GetArena(), nullptr);
  EXPECT_EQ(holder->request()->GetArena(), holder->response()->GetArena());
  holder->Release();
}

TEST(ArenaMessageAllocatorTest, AReleasedHolderComesBackEmptyOnTheSameThread) {
  BatchAllocator allocator;
  auto* first = allocator.AllocateMessages();
  first->request()->add_items()->mutable_rtc_with_uid()->set_channel_name("first call");
  first->response()->add_results()->mutable_token()->set_token(std::string(300, 'x'));
  first->Release();

  auto* second = allocator.AllocateMessages();
  EXPECT_EQ(second, first);  // from this thread's pool
  EXPECT_EQ(second->request()->items_size(), 0);
  EXPECT_EQ(second->response()->results_size(), 0);
  second->Release();
}

TEST(ArenaMessageAllocatorTest, ABatchOutgrowsTheFirstBlockAndTheHolderIsReusedAfter) {
  BatchAllocator allocator;
  for (int round = 0; round < 3; ++round) {
    auto* holder = allocator.AllocateMessages();
    for (int i = 0; i < 1000; ++i) {
      auto* item = holder->request()->add_items()->mutable_rtc_with_account();
      item->set_account(std::string(255, static_cast<char>('a' + i % 26)));
      item->set_channel_name("channel-" + std::to_string(i));
    }
    ASSERT_EQ(holder->request()->items_size(), 1000);
    EXPECT_EQ(holder->request()->items(999).rtc_with_account().channel_name(), "channel-999");
    EXPECT_GT(holder->request()->GetArena()->SpaceAllocated(), 4096u);  // past the first block
    holder->Release();
  }
}

TEST(ArenaMessageAllocatorTest, HoldersReleasedOnAnotherThreadStayThere) {
  BatchAllocator allocator;
  auto* holder = allocator.AllocateMessages();
  std::thread([holder] { holder->Release(); }).join();  // freed with that thread's pool
  auto* next = allocator.AllocateMessages();
  EXPECT_NE(next, nullptr);
  EXPECT_EQ(next->request()->items_size(), 0);
  next->Release();
}

}  // namespace
}  // namespace agora_token
