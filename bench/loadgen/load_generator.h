// The load generator's engine: worker threads, each with its own gRPC
// CompletionQueue, keep a fixed number of unary calls in flight over a set of
// channels (closed loop), or send at a fixed rate (open loop), where a call
// that falls due while every slot is busy counts its latency from its
// scheduled send time, so a stalled server shows up as latency instead of
// silently lowering the offered load (coordinated omission). Calls are
// generic (pre-serialized ByteBuffers), so any RPC of any service, including
// grpc.health.v1.Health/Check, goes through the same path.
#ifndef AGORA_TOKEN_BENCH_LOADGEN_LOAD_GENERATOR_H_
#define AGORA_TOKEN_BENCH_LOADGEN_LOAD_GENERATOR_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/loadgen/histogram.h"
#include "bench/loadgen/request_pool.h"

namespace agora_token_bench {

struct LoadOptions {
  // Calls in flight (closed loop), or at most in flight (open loop).
  int concurrency = 16;
  int threads = 1;
  // Calls per second over all threads; 0 means closed loop.
  double rate = 0;
  // Stop sending after this long (0: no limit) or this many calls (0: no
  // limit); at least one must be set. In-flight calls are then awaited.
  std::chrono::duration<double> duration{10.0};
  uint64_t max_requests = 0;
  // Calls completing during the first `warmup` are not counted.
  std::chrono::duration<double> warmup{0.0};
  std::chrono::milliseconds deadline{10000};
  // Every n-th response of each thread (and its first) is parsed and
  // checked; 0: none (a server that answers with empty messages).
  uint64_t check_every = 256;
  // Metadata sent with every call, e.g. {"authorization", "Bearer <key>"}.
  std::vector<std::pair<std::string, std::string>> metadata;
};

struct LoadResult {
  // Latency of the counted calls, in nanoseconds.
  LogLinearHistogram latency_ns;
  // Open loop: how late the counted calls went out against their schedule,
  // in nanoseconds. Large values mean the generator, not the server, fell
  // behind (all slots busy, or no CPU for the pacing thread).
  LogLinearHistogram send_lag_ns;
  // Counted calls by grpc::StatusCode.
  std::map<int, uint64_t> status_counts;
  // Sampled OK responses that failed ResponseLooksRight.
  uint64_t bad_responses = 0;
  uint64_t checked_responses = 0;
  // From the end of the warmup to the last completion.
  double measured_seconds = 0;
  // Every completed call, warmup included, and the generator's own CPU time
  // (user + system, all threads) over the whole run: its cost per call.
  uint64_t all_calls = 0;
  double client_cpu_seconds = 0;
  uint64_t counted_calls() const { return latency_ns.count(); }
};

// Runs the load described by `options`: call number i goes out on
// channels[i % channels.size()] with pool.requests[i % size]. `check` is
// applied to the sampled OK responses.
LoadResult RunLoad(const LoadOptions& options,
                   const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                   const RequestPool& pool,
                   const std::function<bool(const grpc::ByteBuffer&)>& check);

}  // namespace agora_token_bench

#endif  // AGORA_TOKEN_BENCH_LOADGEN_LOAD_GENERATOR_H_
