// Counts retries that gRPC hides from the application. A retry policy
// re-sends a call inside the channel, so the caller only ever sees one final
// status; gRPC's channelz counters still tell them apart: the channel counts
// each call once, and its subchannels (one per backend address) count each
// attempt sent to a backend, transparent retries included. The difference
// is the number of retries. Read in-process through grpc_channelz_*.
#ifndef AGORA_TOKEN_TESTS_FLEET_CHANNEL_ATTEMPTS_H_
#define AGORA_TOKEN_TESTS_FLEET_CHANNEL_ATTEMPTS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace agora_token_fleet {

struct AttemptCounts {
  // The channel: one per call the application made.
  int64_t calls_started = 0;
  int64_t calls_failed = 0;
  // Its subchannels: one per attempt that reached a backend connection.
  int64_t attempts_started = 0;
  int64_t attempts_failed = 0;

  // Attempts by backend address ("127.0.0.1:PORT" or the subchannel's
  // target as channelz names it).
  std::map<std::string, int64_t> attempts_by_address;

  int64_t retries() const { return attempts_started - calls_started; }
  // The counts between `earlier` and this snapshot.
  AttemptCounts Since(const AttemptCounts& earlier) const;
};

// The counts of the one channel in this process created for `target`
// (exactly as passed to grpc::CreateCustomChannel).
absl::StatusOr<AttemptCounts> CountAttempts(const std::string& target);

}  // namespace agora_token_fleet

#endif  // AGORA_TOKEN_TESTS_FLEET_CHANNEL_ATTEMPTS_H_
