// Time, salt and user identity helpers shared by the 006 and 007 builders.
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "core/crypto.h"
#include "core/token.h"

namespace agora_token {
namespace {

constexpr uint32_t kMaxSalt = 99999999;  // the official builders' range is [1, kMaxSalt]

// Bumped in a forked child so it never reuses random bytes its parent has
// buffered (two processes must not hand out the same salts).
std::atomic<uint32_t> fork_generation{0};
void OnFork() { fork_generation.fetch_add(1, std::memory_order_relaxed); }
const int kAtForkRegistered = pthread_atfork(nullptr, nullptr, OnFork);

// CSPRNG output buffered per thread: one RAND_bytes call per 256 salts
// instead of one per token.
class RandomWords {
 public:
  uint32_t Next() {
    const uint32_t generation = fork_generation.load(std::memory_order_relaxed);
    if (next_ == kWords || generation != generation_) {
      SecureRandomBytes(words_, sizeof(words_));
      next_ = 0;
      generation_ = generation;
    }
    const uint32_t word = words_[next_];
    words_[next_++] = 0;
    return word;
  }

 private:
  static constexpr size_t kWords = 256;
  uint32_t words_[kWords] = {};
  size_t next_ = kWords;
  uint32_t generation_ = 0;
};

uint32_t RandomSalt() {
  thread_local RandomWords random;
  // Rejection sampling keeps the salt uniform over [1, kMaxSalt].
  constexpr uint32_t kLimit = UINT32_MAX - (UINT32_MAX % kMaxSalt);
  for (;;) {
    const uint32_t word = random.Next();
    if (word < kLimit) return 1 + word % kMaxSalt;
  }
}

}  // namespace

uint32_t SystemClock::NowUnixSeconds() const {
  (void)kAtForkRegistered;
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);  // the precise clock, not time()'s coarse one
  return static_cast<uint32_t>(ts.tv_sec);
}

Issuance NewIssuance(const Clock& clock) { return Issuance{clock.NowUnixSeconds(), RandomSalt()}; }

std::string UserAccountString(const RtcUser& user) {
  if (const uint32_t* uid = std::get_if<uint32_t>(&user)) {
    return *uid == 0 ? std::string() : absl::StrCat(*uid);
  }
  return std::get<std::string>(user);
}

Token006Subject Token006Subject::ForRtc(std::string channel_name, const RtcUser& user) {
  return Token006Subject{std::move(channel_name), UserAccountString(user)};
}

Token006Subject Token006Subject::ForRtm(std::string user_id) {
  // An RTM 006 token signs the user id where RTC signs the channel, and no uid.
  return Token006Subject{std::move(user_id), std::string()};
}

}  // namespace agora_token
