// An issuer's JWK Set fetched from its jwks_uri with libcurl: once when
// first asked for, then on a schedule by a thread of its own, and early when
// a token names a kid the set lacks (rate-limited). A failed fetch keeps the
// last good set, is logged and counted (JwksFetchFailures, exported as
// agora_token_jwks_fetch_failures_total). Fetchers are shared per URL and
// interval, so a reload that keeps the URL keeps the set it has.
#ifndef AGORA_TOKEN_SERVER_JWKS_FETCHER_H_
#define AGORA_TOKEN_SERVER_JWKS_FETCHER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "server/jwks.h"

namespace agora_token {

// Failed fetches of every fetcher in the process.
uint64_t JwksFetchFailures();

// INVALID_ARGUMENT unless `url` is https://, or http:// on a loopback host.
absl::Status CheckJwksUrl(const std::string& url);

class JwksFetcher {
 public:
  // The fetcher of `url` every `refresh`; a new one fetches before it
  // returns.
  static std::shared_ptr<JwksFetcher> ForUrl(const std::string& url, std::chrono::seconds refresh);

  JwksFetcher(std::string url, std::chrono::seconds refresh);
  ~JwksFetcher();
  JwksFetcher(const JwksFetcher&) = delete;
  JwksFetcher& operator=(const JwksFetcher&) = delete;

  // The last good set; null until a fetch has succeeded.
  std::shared_ptr<const Jwks> Current() const;
  // A token named a kid the current set lacks: fetches now, unless an early
  // fetch ran in the last 10 seconds, and returns the set then current.
  std::shared_ptr<const Jwks> RefreshForUnknownKid();

 private:
  void Fetch();
  void Loop();

  const std::string url_;
  const std::chrono::seconds refresh_;
  mutable std::mutex mutex_;
  std::mutex fetch_mutex_;  // one fetch at a time
  std::condition_variable wake_;
  std::shared_ptr<const Jwks> current_;
  std::chrono::steady_clock::time_point last_early_fetch_{};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_JWKS_FETCHER_H_
