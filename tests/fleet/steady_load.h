// The fleet test's client load: BuildRtcTokenWithUid calls sent on a fixed
// timetable (open loop) over one channel, whatever the fleet is doing, with
// a cap on calls in flight. A call that falls due while the cap is reached
// waits, and its latency still counts from when it was due, so a stall
// shows up as latency instead of as fewer calls. Every call is recorded
// (when it was due, sent and finished, and its final status after the
// channel's own retries), and every n-th OK response keeps its token for
// verification after the run. Requests alternate 006 and 007 tokens.
// A burst of BuildTokens batches can be added on top, to have many calls in
// flight at a chosen moment.
#ifndef AGORA_TOKEN_TESTS_FLEET_STEADY_LOAD_H_
#define AGORA_TOKEN_TESTS_FLEET_STEADY_LOAD_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "agora/token/v1/token_service.grpc.pb.h"

namespace agora_token_fleet {

using SteadyClock = std::chrono::steady_clock;

struct LoadPlan {
  double calls_per_second = 400;
  int max_in_flight = 64;
  std::chrono::milliseconds deadline{5000};
  // Every n-th call (by index) keeps its token if it succeeds.
  uint64_t sample_every = 50;
  std::string app_id;
};

struct CallRecord {
  uint64_t index = 0;
  bool batch = false;  // a BuildTokens call of a burst
  SteadyClock::time_point due;
  SteadyClock::time_point sent;
  SteadyClock::time_point finished;
  grpc::StatusCode code = grpc::StatusCode::OK;
  // "CODE: message" of a failed call (the server never puts secrets there).
  std::string error;
};

// A token kept for verification, with what was asked for.
struct TokenSample {
  uint64_t index = 0;
  SteadyClock::time_point sent;
  SteadyClock::time_point finished;
  std::string channel_name;
  uint32_t uid = 0;
  agora::token::v1::TokenVersion version = agora::token::v1::TOKEN_VERSION_UNSPECIFIED;
  std::string token;
};

class SteadyLoad {
 public:
  SteadyLoad(std::shared_ptr<grpc::Channel> channel, LoadPlan plan);
  // Stops sending and cancels what is still in flight.
  ~SteadyLoad();
  SteadyLoad(const SteadyLoad&) = delete;
  SteadyLoad& operator=(const SteadyLoad&) = delete;

  void Start();
  // Sends `calls` BuildTokens calls of `items` RTC tokens each at once, on
  // top of the timetable. A batch counts as failed unless every item has a
  // token; the first item of each is sampled.
  void SendBurst(int calls, int items);
  // Stops sending, then waits up to `timeout` for the calls in flight.
  absl::Status Stop(std::chrono::milliseconds timeout);

  int in_flight() const { return in_flight_.load(); }
  // Calls scheduled so far (each one is recorded once it finishes).
  uint64_t scheduled() const { return scheduled_.load(); }
  std::vector<CallRecord> Records() const;
  std::vector<TokenSample> Samples() const;

 private:
  struct Call {
    uint64_t index = 0;
    SteadyClock::time_point due;
    SteadyClock::time_point sent;
    grpc::ClientContext context;
    agora::token::v1::BuildRtcTokenWithUidRequest request;
    agora::token::v1::BuildRtcTokenWithUidResponse response;
    // Burst calls only.
    bool batch = false;
    agora::token::v1::BuildTokensRequest batch_request;
    agora::token::v1::BuildTokensResponse batch_response;
  };

  void Pace();
  // The request of call number `index`.
  agora::token::v1::BuildRtcTokenWithUidRequest RequestFor(uint64_t index) const;
  // Sets the deadline of `call` and registers it as in flight.
  void Track(Call* call);
  void Send(uint64_t index, SteadyClock::time_point due);
  void Finish(Call* call, const grpc::Status& status);
  // Waits until nothing is in flight or `deadline`; true if nothing is.
  bool WaitForIdle(SteadyClock::time_point deadline);

  const LoadPlan plan_;
  std::unique_ptr<agora::token::v1::TokenService::Stub> stub_;
  std::thread pacer_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<uint64_t> scheduled_{0};
  // Burst calls are numbered from here, apart from the timetable's.
  std::atomic<uint64_t> next_burst_index_{uint64_t{1} << 40};

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<uint64_t, Call*> outstanding_;
  std::vector<CallRecord> records_;
  std::vector<TokenSample> samples_;
};

}  // namespace agora_token_fleet

#endif  // AGORA_TOKEN_TESTS_FLEET_STEADY_LOAD_H_
