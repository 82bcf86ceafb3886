#include "server/jwks_fetcher.h"

#include <curl/curl.h>

#include <atomic>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/log.h"

namespace agora_token {
namespace {

constexpr size_t kMaxJwksBytes = 1 << 20;
constexpr long kTimeoutMs = 5000;
constexpr auto kEarlyFetchInterval = std::chrono::seconds(10);

std::atomic<uint64_t> fetch_failures{0};

size_t Append(char* data, size_t size, size_t count, void* out) {
  std::string& body = *static_cast<std::string*>(out);
  if (body.size() + size * count > kMaxJwksBytes) return 0;  // aborts the transfer
  body.append(data, size * count);
  return size * count;
}

absl::StatusOr<std::string> Get(const std::string& url) {
  static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(initialized ? curl_easy_init() : nullptr,
                                              curl_easy_cleanup);
  if (curl == nullptr) return absl::InternalError("libcurl did not initialize");
  std::string body;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, kTimeoutMs);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) return absl::UnavailableError(curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return absl::UnavailableError(absl::StrCat("HTTP status ", status));
  return body;
}

}  // namespace

uint64_t JwksFetchFailures() { return fetch_failures.load(std::memory_order_relaxed); }

absl::Status CheckJwksUrl(const std::string& url) {
  if (absl::StartsWith(url, "https://")) return absl::OkStatus();
  for (const char* loopback : {"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:",
                               "http://localhost/", "http://[::1]:", "http://[::1]/"}) {
    if (absl::StartsWith(url, loopback)) return absl::OkStatus();
  }
  return absl::InvalidArgumentError("must be an https:// URL (http:// only on a loopback host)");
}

std::shared_ptr<JwksFetcher> JwksFetcher::ForUrl(const std::string& url,
                                                 std::chrono::seconds refresh) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, int64_t>, std::weak_ptr<JwksFetcher>> fetchers;
  std::lock_guard<std::mutex> lock(mutex);
  std::weak_ptr<JwksFetcher>& slot = fetchers[{url, refresh.count()}];
  std::shared_ptr<JwksFetcher> fetcher = slot.lock();
  if (fetcher == nullptr) {
    fetcher = std::make_shared<JwksFetcher>(url, refresh);
    slot = fetcher;
  }
  return fetcher;
}

JwksFetcher::JwksFetcher(std::string url, std::chrono::seconds refresh)
    : url_(std::move(url)), refresh_(refresh) {
  Fetch();
  thread_ = std::thread([this] { Loop(); });
}

JwksFetcher::~JwksFetcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::shared_ptr<const Jwks> JwksFetcher::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

std::shared_ptr<const Jwks> JwksFetcher::RefreshForUnknownKid() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (last_early_fetch_.time_since_epoch().count() != 0 &&
        now - last_early_fetch_ < kEarlyFetchInterval) {
      return current_;
    }
    last_early_fetch_ = now;
  }
  Fetch();
  return Current();
}

void JwksFetcher::Fetch() {
  std::lock_guard<std::mutex> one_at_a_time(fetch_mutex_);
  absl::StatusOr<std::string> body = Get(url_);
  absl::StatusOr<std::shared_ptr<const Jwks>> jwks =
      body.ok() ? Jwks::Parse(*body) : absl::StatusOr<std::shared_ptr<const Jwks>>(body.status());
  if (!jwks.ok()) {
    fetch_failures.fetch_add(1, std::memory_order_relaxed);
    Log(LogLevel::kWarning, "JWKS fetch failed; the last good key set keeps serving",
        {{"url", url_}, {"error", std::string(jwks.status().message())}});
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = *std::move(jwks);
}

void JwksFetcher::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, refresh_, [this] { return stopping_; })) {
    lock.unlock();
    Fetch();
    lock.lock();
  }
}

}  // namespace agora_token
