#include "bench/loadgen/load_generator.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace agora_token_bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

// What all workers share: the schedule and the call budget.
struct Schedule {
  SteadyClock::time_point start;
  SteadyClock::time_point warmup_end;
  SteadyClock::time_point stop;  // time_point::max() without a duration
  uint64_t max_requests = 0;     // 0: no limit
  std::atomic<uint64_t> claimed{0};

  // Whether one more call may be sent at `now`.
  bool TryClaim(SteadyClock::time_point now) {
    if (now >= stop) return false;
    return max_requests == 0 || claimed.fetch_add(1, std::memory_order_relaxed) < max_requests;
  }
};

// gRPC's CompletionQueue only takes system_clock deadlines.
std::chrono::system_clock::time_point ToSystem(SteadyClock::time_point when) {
  const SteadyClock::time_point now = SteadyClock::now();
  const auto capped = std::min(when - now, SteadyClock::duration(std::chrono::seconds(1)));
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(capped);
}

class Worker {
 public:
  Worker(const LoadOptions& options, Schedule* schedule, const RequestPool& pool,
         const std::function<bool(const grpc::ByteBuffer&)>& check,
         std::vector<grpc::GenericStub*> slot_stubs, size_t first_request, double rate,
         SteadyClock::duration first_send_offset)
      : options_(options),
        schedule_(schedule),
        pool_(pool),
        check_(check),
        next_request_(first_request),
        rate_(rate),
        first_send_offset_(first_send_offset),
        calls_(slot_stubs.size()) {
    for (size_t i = 0; i < calls_.size(); ++i) calls_[i].stub = slot_stubs[i];
  }

  void Run() {
    if (rate_ > 0) {
      RunOpenLoop();
    } else {
      RunClosedLoop();
    }
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  LoadResult& result() { return result_; }
  const LogLinearHistogram& send_lag_ns() const { return send_lag_ns_; }
  // When the last counted call completed; min() if none did.
  SteadyClock::time_point last_counted_completion() const { return last_counted_completion_; }

 private:
  struct Call {
    grpc::GenericStub* stub = nullptr;
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>> reader;
    grpc::ByteBuffer response;
    grpc::Status status;
    SteadyClock::time_point scheduled;
  };

  void RunClosedLoop() {
    int outstanding = 0;
    for (Call& call : calls_) {
      const SteadyClock::time_point now = SteadyClock::now();
      if (!schedule_->TryClaim(now)) break;
      Start(&call, now);
      ++outstanding;
    }
    while (outstanding > 0) {
      void* tag;
      bool ok;
      if (!cq_.Next(&tag, &ok)) break;
      Call* call = static_cast<Call*>(tag);
      const SteadyClock::time_point now = SteadyClock::now();
      Complete(call, now);
      if (schedule_->TryClaim(now)) {
        Start(call, now);
      } else {
        --outstanding;
      }
    }
  }

  // Sends on a fixed timetable from this one thread. Waiting on the
  // completion queue with a timeout wakes up to a millisecond late (epoll's
  // resolution), so a call that goes out late only because of that timer
  // counts its latency from when it was sent; a call that was due while every
  // slot was busy, i.e. the server had fallen behind, counts from its
  // scheduled time, as coordinated omission demands. How late each call went
  // out is recorded either way (send_lag_ns).
  void RunOpenLoop() {
    const SteadyClock::duration interval = std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(1.0 / rate_));
    SteadyClock::time_point next_send = schedule_->start + first_send_offset_;
    std::vector<Call*> idle;
    for (Call& call : calls_) idle.push_back(&call);
    bool sending = true;
    bool starved = false;  // a call fell due while every slot was busy
    for (;;) {
      const SteadyClock::time_point now = SteadyClock::now();
      while (sending && next_send <= now) {
        if (idle.empty()) {
          starved = true;
          break;
        }
        if (!schedule_->TryClaim(now)) {
          sending = false;
          break;
        }
        if (now >= schedule_->warmup_end) {
          send_lag_ns_.Record(static_cast<uint64_t>(
              std::chrono::duration_cast<std::chrono::nanoseconds>(now - next_send).count()));
        }
        Start(idle.back(), starved ? next_send : now);
        idle.pop_back();
        next_send += interval;
      }
      if (next_send > now) starved = false;  // caught up with the timetable
      if (sending && now >= schedule_->stop) sending = false;
      if (!sending && idle.size() == calls_.size()) break;
      // Wake for the next send, or just for completions when all are busy.
      SteadyClock::time_point wake = now + std::chrono::milliseconds(100);
      if (sending && !idle.empty()) wake = std::min(next_send, schedule_->stop);
      void* tag;
      bool ok;
      const grpc::CompletionQueue::NextStatus next = cq_.AsyncNext(&tag, &ok, ToSystem(wake));
      if (next == grpc::CompletionQueue::SHUTDOWN) break;
      if (next == grpc::CompletionQueue::GOT_EVENT) {
        Call* call = static_cast<Call*>(tag);
        Complete(call, SteadyClock::now());
        idle.push_back(call);
      }
    }
  }

  void Start(Call* call, SteadyClock::time_point scheduled) {
    call->scheduled = scheduled;
    call->context = std::make_unique<grpc::ClientContext>();
    call->context->set_deadline(std::chrono::system_clock::now() + options_.deadline);
    for (const auto& [key, value] : options_.metadata) call->context->AddMetadata(key, value);
    call->response.Clear();
    const grpc::ByteBuffer& request = pool_.requests[next_request_++ % pool_.requests.size()];
    call->reader = call->stub->PrepareUnaryCall(call->context.get(), pool_.method, request, &cq_);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
  }

  void Complete(Call* call, SteadyClock::time_point now) {
    ++result_.all_calls;
    if (now < schedule_->warmup_end) return;
    last_counted_completion_ = now;
    result_.latency_ns.Record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - call->scheduled).count()));
    ++result_.status_counts[call->status.error_code()];
    if (call->status.ok() && options_.check_every > 0 &&
        ok_responses_++ % options_.check_every == 0) {
      ++result_.checked_responses;
      if (!check_(call->response)) ++result_.bad_responses;
    }
  }

  const LoadOptions& options_;
  Schedule* schedule_;
  const RequestPool& pool_;
  const std::function<bool(const grpc::ByteBuffer&)>& check_;
  size_t next_request_;
  double rate_;
  SteadyClock::duration first_send_offset_;
  std::vector<Call> calls_;
  grpc::CompletionQueue cq_;
  LoadResult result_;
  // Open loop only: how late each counted call went out.
  LogLinearHistogram send_lag_ns_;
  uint64_t ok_responses_ = 0;
  SteadyClock::time_point last_counted_completion_ = SteadyClock::time_point::min();
};

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

LoadResult RunLoad(const LoadOptions& options,
                   const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                   const RequestPool& pool,
                   const std::function<bool(const grpc::ByteBuffer&)>& check) {
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (const std::shared_ptr<grpc::Channel>& channel : channels) {
    stubs.push_back(std::make_unique<grpc::GenericStub>(channel));
  }
  const int threads = std::max(1, std::min(options.threads, options.concurrency));

  Schedule schedule;
  schedule.max_requests = options.max_requests;
  std::vector<std::unique_ptr<Worker>> workers;
  // Slots are numbered across threads so consecutive slots use consecutive
  // channels, whatever the thread count.
  int slot = 0;
  const double thread_rate = options.rate / threads;
  for (int t = 0; t < threads; ++t) {
    const int slots = options.concurrency / threads + (t < options.concurrency % threads ? 1 : 0);
    std::vector<grpc::GenericStub*> slot_stubs;
    for (int i = 0; i < slots; ++i, ++slot) slot_stubs.push_back(stubs[slot % stubs.size()].get());
    // Threads start at different points of the pool and, when paced,
    // interleave their send times instead of sending in bursts.
    const size_t first_request = pool.requests.size() * t / threads;
    const auto offset = thread_rate > 0 ? std::chrono::duration_cast<SteadyClock::duration>(
                                              std::chrono::duration<double>(t / options.rate))
                                        : SteadyClock::duration::zero();
    workers.push_back(std::make_unique<Worker>(options, &schedule, pool, check,
                                               std::move(slot_stubs), first_request, thread_rate,
                                               offset));
  }

  const double cpu_at_start = ProcessCpuSeconds();
  schedule.start = SteadyClock::now();
  schedule.warmup_end =
      schedule.start + std::chrono::duration_cast<SteadyClock::duration>(options.warmup);
  schedule.stop =
      options.duration.count() > 0
          ? schedule.start + std::chrono::duration_cast<SteadyClock::duration>(options.duration)
          : SteadyClock::time_point::max();
  std::vector<std::thread> running;
  for (std::unique_ptr<Worker>& worker : workers) {
    running.emplace_back([&worker] { worker->Run(); });
  }
  for (std::thread& thread : running) thread.join();
  const double cpu_used = ProcessCpuSeconds() - cpu_at_start;

  LoadResult total;
  SteadyClock::time_point last = SteadyClock::time_point::min();
  for (std::unique_ptr<Worker>& worker : workers) {
    LoadResult& part = worker->result();
    total.latency_ns.Merge(part.latency_ns);
    for (const auto& [code, count] : part.status_counts) total.status_counts[code] += count;
    total.bad_responses += part.bad_responses;
    total.checked_responses += part.checked_responses;
    total.all_calls += part.all_calls;
    total.send_lag_ns.Merge(worker->send_lag_ns());
    last = std::max(last, worker->last_counted_completion());
  }
  total.client_cpu_seconds = cpu_used;
  if (total.counted_calls() > 0) {
    total.measured_seconds =
        std::chrono::duration<double>(last - std::max(schedule.start, schedule.warmup_end)).count();
  }
  return total;
}

}  // namespace agora_token_bench
