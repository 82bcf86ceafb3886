#include "tests/fleet/steady_load.h"

#include "absl/strings/str_cat.h"

namespace agora_token_fleet {

namespace v1 = agora::token::v1;

SteadyLoad::SteadyLoad(std::shared_ptr<grpc::Channel> channel, LoadPlan plan)
    : plan_(std::move(plan)), stub_(v1::TokenService::NewStub(std::move(channel))) {}

SteadyLoad::~SteadyLoad() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (pacer_.joinable()) pacer_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [index, call] : outstanding_) call->context.TryCancel();
  }
  // The callbacks still refer to this object: wait for every one of them
  // (each call is bounded by its deadline anyway).
  WaitForIdle(SteadyClock::now() + plan_.deadline + std::chrono::seconds(5));
}

void SteadyLoad::Start() {
  pacer_ = std::thread([this] { Pace(); });
}

absl::Status SteadyLoad::Stop(std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (pacer_.joinable()) pacer_.join();
  if (!WaitForIdle(SteadyClock::now() + timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(in_flight_.load(), " calls still in flight ",
                                                    timeout.count(), " ms after the load stopped"));
  }
  return absl::OkStatus();
}

std::vector<CallRecord> SteadyLoad::Records() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return records_;
}

std::vector<TokenSample> SteadyLoad::Samples() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return samples_;
}

void SteadyLoad::Pace() {
  const std::chrono::duration<double> interval(1.0 / plan_.calls_per_second);
  const SteadyClock::time_point start = SteadyClock::now();
  for (uint64_t index = 0;; ++index) {
    const SteadyClock::time_point due =
        start + std::chrono::duration_cast<SteadyClock::duration>(interval * index);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait_until(lock, due, [this] { return stopping_.load(); });
      // At the cap the call waits for a free slot; its latency still counts
      // from `due`.
      changed_.wait(lock,
                    [this] { return stopping_.load() || in_flight_.load() < plan_.max_in_flight; });
      if (stopping_) return;
    }
    Send(index, due);
  }
}

v1::BuildRtcTokenWithUidRequest SteadyLoad::RequestFor(uint64_t index) const {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(plan_.app_id);
  request.set_channel_name(absl::StrCat("fleet-", index % 100));
  request.set_uid(static_cast<uint32_t>(index + 1));
  request.set_role(v1::ROLE_PUBLISHER);
  request.set_token_version(index % 2 == 0 ? v1::TOKEN_VERSION_007 : v1::TOKEN_VERSION_006);
  return request;
}

void SteadyLoad::Track(Call* call) {
  call->context.set_deadline(std::chrono::system_clock::now() + plan_.deadline);
  std::lock_guard<std::mutex> lock(mutex_);
  outstanding_[call->index] = call;
  ++in_flight_;
  ++scheduled_;
}

void SteadyLoad::Send(uint64_t index, SteadyClock::time_point due) {
  Call* call = new Call();
  call->index = index;
  call->due = due;
  call->request = RequestFor(index);
  Track(call);
  call->sent = SteadyClock::now();
  stub_->async()->BuildRtcTokenWithUid(&call->context, &call->request, &call->response,
                                       [this, call](grpc::Status status) { Finish(call, status); });
}

void SteadyLoad::SendBurst(int calls, int items) {
  for (int c = 0; c < calls; ++c) {
    Call* call = new Call();
    call->batch = true;
    call->index = next_burst_index_++;
    for (int i = 0; i < items; ++i) {
      v1::BuildRtcTokenWithUidRequest item = RequestFor(call->index + i);
      item.set_token_version(v1::TOKEN_VERSION_007);
      *call->batch_request.add_items()->mutable_rtc_with_uid() = std::move(item);
    }
    call->due = call->sent = SteadyClock::now();
    Track(call);
    stub_->async()->BuildTokens(&call->context, &call->batch_request, &call->batch_response,
                                [this, call](grpc::Status status) { Finish(call, status); });
  }
}

void SteadyLoad::Finish(Call* call, const grpc::Status& status) {
  CallRecord record;
  record.index = call->index;
  record.due = call->due;
  record.sent = call->sent;
  record.finished = SteadyClock::now();
  record.batch = call->batch;
  record.code = status.error_code();
  if (!status.ok()) record.error = absl::StrCat(status.error_code(), ": ", status.error_message());
  if (status.ok() && call->batch) {
    const int results = call->batch_response.results_size();
    int tokens = 0;
    for (const v1::BuildTokensResult& result : call->batch_response.results()) {
      if (result.has_token()) ++tokens;
    }
    if (results != call->batch_request.items_size() || tokens != results) {
      record.code = grpc::StatusCode::UNKNOWN;
      record.error = absl::StrCat("batch answered OK with ", tokens, " tokens for ",
                                  call->batch_request.items_size(), " items");
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const bool sampled = call->batch || call->index % plan_.sample_every == 0;
    if (record.code == grpc::StatusCode::OK && sampled) {
      const v1::BuildRtcTokenWithUidRequest& request =
          call->batch ? call->batch_request.items(0).rtc_with_uid() : call->request;
      TokenSample sample;
      sample.index = call->index;
      sample.sent = call->sent;
      sample.finished = record.finished;
      sample.channel_name = request.channel_name();
      sample.uid = request.uid();
      sample.version = request.token_version();
      sample.token =
          call->batch ? call->batch_response.results(0).token().token() : call->response.token();
      samples_.push_back(std::move(sample));
    }
    records_.push_back(std::move(record));
    outstanding_.erase(call->index);
    --in_flight_;
    // Notified under the lock: once it is released the destructor may run,
    // so nothing below touches this object.
    changed_.notify_all();
  }
  delete call;  // the call is over: gRPC no longer touches its context
}

bool SteadyLoad::WaitForIdle(SteadyClock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_until(lock, deadline, [this] { return in_flight_.load() == 0; });
}

}  // namespace agora_token_fleet
