// ThreadSanitizer builds only (AGORA_TOKEN_SANITIZE=thread links this into
// every executable): tells TSan about the locks taken inside Debian's
// uninstrumented Abseil. gRPC's mutexes (gpr_mu, grpc_core::Mutex) are
// absl::Mutex, which locks with its own atomics and futexes, so TSan sees no
// happens-before edge when gRPC hands a call, a message buffer or a callback
// from one of its threads to another under such a lock, and reports races on
// everything our instrumented code touches on both sides: hundreds per test.
//
// This file defines the absl::Mutex and absl::CondVar functions that
// Debian's libgrpc, libgpr and libgrpc++ call (nm -D --undefined-only). The
// executable comes first in the dynamic linker's lookup, so those calls land
// here; each forwards to Abseil's own function (dlsym RTLD_NEXT) and marks the
// mutex with __tsan_release before it is unlocked and __tsan_acquire after it
// is locked. That adds exactly the edges the locks provide, hides no report
// about memory that is not under such a lock, and leaves our code (which uses
// std::mutex, already visible to TSan) fully checked. Synchronisation that
// gRPC does with bare atomics stays invisible: tests/sanitizers/tsan.supp.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#define AGORA_TOKEN_STRINGIFY_(x) #x
#define AGORA_TOKEN_STRINGIFY(x) AGORA_TOKEN_STRINGIFY_(x)
// The mangled names below name Debian's Abseil inline namespace.
static_assert(std::string_view(AGORA_TOKEN_STRINGIFY(ABSL_OPTION_INLINE_NAMESPACE_NAME)) ==
                  "debian3",
              "tsan_absl_mutex.cc spells Debian 12's absl::debian3 symbols; update them");

namespace {

// Abseil's own definition of `mangled`: the next one after this executable.
template <typename Function>
Function* Real(const char* mangled) {
  void* symbol = dlsym(RTLD_NEXT, mangled);
  if (symbol == nullptr) {
    std::fprintf(stderr, "tsan_absl_mutex: %s is not in the loaded Abseil\n", mangled);
    std::abort();
  }
  return reinterpret_cast<Function*>(symbol);
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static auto* const real = Real<void(Mutex*)>("_ZN4absl7debian35Mutex4LockEv");
  real(this);
  __tsan_acquire(this);
}

void Mutex::ReaderLock() {
  static auto* const real = Real<void(Mutex*)>("_ZN4absl7debian35Mutex10ReaderLockEv");
  real(this);
  __tsan_acquire(this);
}

bool Mutex::TryLock() {
  static auto* const real = Real<bool(Mutex*)>("_ZN4absl7debian35Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

void Mutex::Unlock() {
  static auto* const real = Real<void(Mutex*)>("_ZN4absl7debian35Mutex6UnlockEv");
  __tsan_release(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  static auto* const real = Real<void(Mutex*)>("_ZN4absl7debian35Mutex12ReaderUnlockEv");
  __tsan_release(this);
  real(this);
}

// A wait drops the lock and holds it again on return; other threads may have
// changed what it guards meanwhile.
void CondVar::Wait(Mutex* mu) {
  static auto* const real =
      Real<void(CondVar*, Mutex*)>("_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  real(this, mu);
  __tsan_acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  static auto* const real = Real<bool(CondVar*, Mutex*, absl::Duration)>(
      "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, timeout);
  __tsan_acquire(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  static auto* const real = Real<bool(CondVar*, Mutex*, absl::Time)>(
      "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, deadline);
  __tsan_acquire(mu);
  return timed_out;
}

ABSL_NAMESPACE_END
}  // namespace absl
