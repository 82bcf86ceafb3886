#include "server/metrics.h"

#include "absl/strings/str_cat.h"
#include "server/jwks_fetcher.h"

namespace agora_token {
namespace {

constexpr const char* kVersionNames[2] = {"006", "007"};

// The server always links OpenSSL's libcrypto (gRPC does); BoringSSL
// builds are core-only.
constexpr char kCryptoBackend[] = "openssl";

uint64_t Load(const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); }

void Header(std::string& out, const char* name, const char* type, const char* help) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

std::string MethodLabel(size_t m) { return std::string(RpcMethodName(static_cast<RpcMethod>(m))); }
std::string KindLabel(size_t k) { return std::string(TokenKindName(static_cast<TokenKind>(k))); }

}  // namespace

const std::array<double, Metrics::kBucketCount> Metrics::kBucketBounds = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};

Metrics::Metrics() = default;

void Metrics::RecordCall(RpcMethod method, absl::StatusCode code,
                         std::chrono::nanoseconds latency, std::string_view transport) {
  const size_t m = static_cast<size_t>(method);
  const size_t c = static_cast<size_t>(code) < kCodeCount ? static_cast<size_t>(code) : 2;
  const size_t t = transport == "http" ? 1 : 0;
  calls_[t][m][c].fetch_add(1, std::memory_order_relaxed);
  Latency& l = latency_[m];
  const double seconds = std::chrono::duration<double>(latency).count();
  size_t bucket = 0;
  while (bucket < kBucketCount && seconds > kBucketBounds[bucket]) ++bucket;
  if (bucket < kBucketCount) l.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  l.count.fetch_add(1, std::memory_order_relaxed);
  l.sum_ns.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
}

void Metrics::RecordIssued(TokenKind kind, TokenVersion version) {
  issued_[static_cast<size_t>(kind)][version == TokenVersion::k006 ? 0 : 1].fetch_add(
      1, std::memory_order_relaxed);
}

void Metrics::RecordReload(bool ok) {
  reloads_.fetch_add(1, std::memory_order_relaxed);
  if (!ok) reload_failures_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::RecordConfigReload(bool ok) {
  config_reloads_.fetch_add(1, std::memory_order_relaxed);
  if (!ok) config_reload_failures_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::RecordKeyringReload(bool ok) {
  keyring_reloads_.fetch_add(1, std::memory_order_relaxed);
  if (ok) {
    RecordKeyringLoaded();
  } else {
    keyring_reload_failures_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::string Metrics::Render() const {
  std::string out;
  Header(out, "agora_token_rpc_requests_total", "counter",
         "RPCs finished, by method, status code and transport (grpc, http).");
  constexpr const char* kTransportNames[kTransportCount] = {"grpc", "http"};
  for (size_t t = 0; t < kTransportCount; ++t) {
    for (size_t m = 0; m < kRpcMethodCount; ++m) {
      for (size_t c = 0; c < kCodeCount; ++c) {
        const uint64_t n = Load(calls_[t][m][c]);
        if (n == 0) continue;
        absl::StrAppend(&out, "agora_token_rpc_requests_total{method=\"", MethodLabel(m),
                        "\",code=\"", absl::StatusCodeToString(static_cast<absl::StatusCode>(c)),
                        "\",transport=\"", kTransportNames[t], "\"} ", n, "\n");
      }
    }
  }
  Header(out, "agora_token_rpc_latency_seconds", "histogram",
         "Time from a call reaching the service to its status, by method.");
  for (size_t m = 0; m < kRpcMethodCount; ++m) {
    const Latency& l = latency_[m];
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBucketCount; ++b) {
      cumulative += Load(l.buckets[b]);
      absl::StrAppend(&out, "agora_token_rpc_latency_seconds_bucket{method=\"", MethodLabel(m),
                      "\",le=\"", kBucketBounds[b], "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, "agora_token_rpc_latency_seconds_bucket{method=\"", MethodLabel(m),
                    "\",le=\"+Inf\"} ", Load(l.count), "\n");
    absl::StrAppend(&out, "agora_token_rpc_latency_seconds_sum{method=\"", MethodLabel(m), "\"} ",
                    static_cast<double>(Load(l.sum_ns)) / 1e9, "\n");
    absl::StrAppend(&out, "agora_token_rpc_latency_seconds_count{method=\"", MethodLabel(m), "\"} ",
                    Load(l.count), "\n");
  }
  Header(out, "agora_token_tokens_issued_total", "counter",
         "Tokens minted, by kind and version; a token holding several kinds counts under each.");
  for (size_t k = 0; k < kTokenKindCount; ++k) {
    for (size_t v = 0; v < 2; ++v) {
      absl::StrAppend(&out, "agora_token_tokens_issued_total{kind=\"", KindLabel(k),
                      "\",version=\"", kVersionNames[v], "\"} ", Load(issued_[k][v]), "\n");
    }
  }
  Header(out, "agora_token_keyring_version", "gauge",
         "Keyrings loaded so far; it rises by one with each successful reload.");
  absl::StrAppend(&out, "agora_token_keyring_version ", Load(keyring_version_), "\n");
  Header(out, "agora_token_keyring_reloads_total", "counter", "Keyring reload attempts.");
  absl::StrAppend(&out, "agora_token_keyring_reloads_total ", Load(keyring_reloads_), "\n");
  Header(out, "agora_token_keyring_reload_failures_total", "counter",
         "Keyring reloads rejected; the previous keyring kept serving.");
  absl::StrAppend(&out, "agora_token_keyring_reload_failures_total ",
                  Load(keyring_reload_failures_), "\n");
  Header(out, "agora_token_config_reloads_total", "counter", "Config file reload attempts.");
  absl::StrAppend(&out, "agora_token_config_reloads_total ", Load(config_reloads_), "\n");
  Header(out, "agora_token_config_reload_failures_total", "counter",
         "Config reloads rejected; the previous callers and policies kept serving.");
  absl::StrAppend(&out, "agora_token_config_reload_failures_total ", Load(config_reload_failures_),
                  "\n");
  Header(out, "agora_token_reloads_total", "counter",
         "Reloads of the serving state (SIGHUP or a changed file).");
  absl::StrAppend(&out, "agora_token_reloads_total ", Load(reloads_), "\n");
  Header(out, "agora_token_reload_failures_total", "counter",
         "Reloads refused whole (a broken file, or a change that needs a restart); the "
         "previous state kept serving.");
  absl::StrAppend(&out, "agora_token_reload_failures_total ", Load(reload_failures_), "\n");
  Header(out, "agora_token_audit_log_reopens_total", "counter",
         "Audit log files reopened: on a reload, or because the path no longer named the open "
         "file (deleted or rotated).");
  absl::StrAppend(&out, "agora_token_audit_log_reopens_total ", Load(audit_reopens_), "\n");
  Header(out, "agora_token_audit_log_dropped_lines_total", "counter",
         "Audit log lines dropped because the writer could not keep up or write.");
  absl::StrAppend(&out, "agora_token_audit_log_dropped_lines_total ", Load(audit_drops_), "\n");
  Header(out, "agora_token_jwks_fetch_failures_total", "counter",
         "Failed fetches of trusted issuers' jwks_uri; the last good key set kept serving.");
  absl::StrAppend(&out, "agora_token_jwks_fetch_failures_total ", JwksFetchFailures(), "\n");
  Header(out, "agora_token_build_info", "gauge", "Build information; always 1.");
  absl::StrAppend(&out, "agora_token_build_info{version=\"", AGORA_TOKEN_VERSION, "\",crypto=\"",
                  kCryptoBackend, "\"} 1\n");
  return out;
}

}  // namespace agora_token
