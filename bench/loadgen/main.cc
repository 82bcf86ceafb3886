// agora-token-loadgen: drives one RPC of the token service (or the standard
// health check) over several HTTP/2 connections, plaintext or TLS (with a
// client certificate for mutual TLS, and an API key if asked), and reports
// QPS, latency percentiles and every non-OK status code, as a human summary
// or one JSON object (--json). See bench/run.sh for how the benchmark uses
// it.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/loadgen/load_generator.h"
#include "bench/loadgen/request_pool.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "server host:port");
ABSL_FLAG(std::string, rpc, "rtc_uid",
          "health | rtc_uid | rtc_account | rtm | chat | batch | decode");
ABSL_FLAG(int, concurrency, 16, "calls in flight (with --rate: at most in flight)");
ABSL_FLAG(int, channels, 4, "gRPC channels, each its own HTTP/2 connection");
ABSL_FLAG(int, threads, 1, "client threads, each with its own completion queue");
ABSL_FLAG(double, duration_s, 0,
          "seconds to send for; 0 means 10, or no limit when --requests is set");
ABSL_FLAG(int64_t, requests, 0, "calls to send; 0 means no limit");
ABSL_FLAG(double, warmup_s, 1,
          "seconds at the start whose calls are not counted (ignored "
          "with --requests and no --duration_s)");
ABSL_FLAG(double, rate, 0,
          "fixed calls per second (open loop); 0 sends as fast as the "
          "concurrency allows (closed loop)");
ABSL_FLAG(std::string, version, "007", "token format requested: 006 or 007");
ABSL_FLAG(int, batch_size, 100, "items per BuildTokens call (--rpc batch)");
ABSL_FLAG(int, deadline_ms, 10000, "deadline of each call");
ABSL_FLAG(int, pool_size, 10000, "distinct requests prebuilt before the run");
ABSL_FLAG(std::string, app_id, "970CA35de60c44645bbae8a215061b33",
          "App ID of the requests (the development keyring's app by default)");
ABSL_FLAG(int, check_every, 256,
          "parse and check every n-th OK response of each thread; 0: none (a server that "
          "answers with empty messages, like agora-token-floor-server)");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM file of the CA that signs the server's certificate; set: connect over TLS");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM client certificate (chain) for mutual TLS, with --tls_key and --tls_ca");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, api_key_file, "",
          "file holding an API key, sent as `authorization: Bearer <key>` with every call "
          "(a file, so the key is in no process listing)");
ABSL_FLAG(std::string, label, "", "free text copied into the JSON output");
ABSL_FLAG(bool, lean_client, true,
          "turn off client-side retries (no retry policy is configured anyway), so the generator "
          "spends less CPU per call on the machine it shares with the server");
ABSL_FLAG(bool, json, false, "print one JSON object instead of the human summary");

namespace {

namespace bench = agora_token_bench;

int Fail(const std::string& message) {
  std::fprintf(stderr, "agora-token-loadgen: %s\n", message.c_str());
  return 2;
}

const char* StatusName(int code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "UNRECOGNIZED";
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

double Micros(uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

// The whole file, without trailing line breaks; an error names the flag.
absl::StatusOr<std::string> ReadFlagFile(const char* flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot open ", path));
  }
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!contents.empty() && (contents.back() == '\n' || contents.back() == '\r')) {
    contents.pop_back();
  }
  if (contents.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path, " is empty"));
  }
  return contents;
}

// Plaintext, or TLS (mutual with a client certificate) from the --tls_*
// flags.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFromFlags() {
  const std::string ca = absl::GetFlag(FLAGS_tls_ca);
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  if (ca.empty()) {
    if (!cert.empty() || !key.empty()) {
      return absl::InvalidArgumentError("--tls_cert and --tls_key need --tls_ca");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  grpc::SslCredentialsOptions ssl;
  absl::StatusOr<std::string> roots = ReadFlagFile("tls_ca", ca);
  if (!roots.ok()) return roots.status();
  ssl.pem_root_certs = *std::move(roots);
  if (!cert.empty()) {
    absl::StatusOr<std::string> chain = ReadFlagFile("tls_cert", cert);
    if (!chain.ok()) return chain.status();
    absl::StatusOr<std::string> private_key = ReadFlagFile("tls_key", key);
    if (!private_key.ok()) return private_key.status();
    ssl.pem_cert_chain = *std::move(chain);
    ssl.pem_private_key = *std::move(private_key);
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Load generator for agora.token.v1.TokenService: QPS, latency percentiles, status codes.");
  absl::ParseCommandLine(argc, argv);

  absl::StatusOr<bench::RpcKind> kind = bench::ParseRpcKind(absl::GetFlag(FLAGS_rpc));
  if (!kind.ok()) return Fail(std::string(kind.status().message()));
  const std::string version = absl::GetFlag(FLAGS_version);
  if (version != "006" && version != "007") return Fail("--version must be 006 or 007");
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const int channel_count = absl::GetFlag(FLAGS_channels);
  const int threads = absl::GetFlag(FLAGS_threads);
  if (concurrency <= 0 || channel_count <= 0 || threads <= 0) {
    return Fail("--concurrency, --channels and --threads must be positive");
  }
  const int64_t requests = absl::GetFlag(FLAGS_requests);
  double duration_s = absl::GetFlag(FLAGS_duration_s);
  if (requests < 0 || duration_s < 0 || absl::GetFlag(FLAGS_rate) < 0 ||
      absl::GetFlag(FLAGS_pool_size) <= 0 || absl::GetFlag(FLAGS_deadline_ms) <= 0) {
    return Fail(
        "--requests, --duration_s and --rate must not be negative; --pool_size and "
        "--deadline_ms must be positive");
  }
  if (duration_s == 0 && requests == 0) duration_s = 10;

  bench::PoolOptions pool_options;
  pool_options.kind = *kind;
  pool_options.app_id = absl::GetFlag(FLAGS_app_id);
  pool_options.version =
      version == "006" ? agora::token::v1::TOKEN_VERSION_006 : agora::token::v1::TOKEN_VERSION_007;
  pool_options.size = static_cast<size_t>(absl::GetFlag(FLAGS_pool_size));
  pool_options.batch_size = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_batch_size)));

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentialsFromFlags();
  if (!credentials.ok()) return Fail(std::string(credentials.status().message()));
  std::vector<std::pair<std::string, std::string>> metadata;
  if (const std::string path = absl::GetFlag(FLAGS_api_key_file); !path.empty()) {
    absl::StatusOr<std::string> api_key = ReadFlagFile("api_key_file", path);
    if (!api_key.ok()) return Fail(std::string(api_key.status().message()));
    metadata.emplace_back("authorization", absl::StrCat("Bearer ", *api_key));
  }

  // Distinct channel arguments and a local subchannel pool, so that every
  // channel opens its own connection instead of sharing one.
  const std::string target = absl::GetFlag(FLAGS_target);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < channel_count; ++i) {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    arguments.SetInt("agora_token_bench.channel_index", i);
    arguments.SetMaxReceiveMessageSize(64 << 20);
    if (absl::GetFlag(FLAGS_lean_client)) arguments.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    channels.push_back(grpc::CreateCustomChannel(target, *credentials, arguments));
  }
  for (const std::shared_ptr<grpc::Channel>& channel : channels) {
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
      return Fail(absl::StrCat("cannot connect to ", target));
    }
  }

  absl::StatusOr<bench::RequestPool> pool = bench::BuildRequestPool(pool_options, channels[0]);
  if (!pool.ok()) return Fail(std::string(pool.status().message()));

  bench::LoadOptions load;
  load.concurrency = concurrency;
  load.threads = threads;
  load.rate = absl::GetFlag(FLAGS_rate);
  load.duration = std::chrono::duration<double>(duration_s);
  load.max_requests = static_cast<uint64_t>(requests);
  load.warmup = std::chrono::duration<double>(duration_s > 0 ? absl::GetFlag(FLAGS_warmup_s) : 0);
  load.deadline = std::chrono::milliseconds(absl::GetFlag(FLAGS_deadline_ms));
  load.check_every = static_cast<uint64_t>(std::max(0, absl::GetFlag(FLAGS_check_every)));
  load.metadata = std::move(metadata);
  if (duration_s > 0 && load.warmup >= load.duration) {
    return Fail("--warmup_s must be shorter than --duration_s");
  }

  const bench::LoadResult result =
      bench::RunLoad(load, channels, *pool, [&pool_options](const grpc::ByteBuffer& response) {
        return bench::ResponseLooksRight(pool_options, response);
      });

  const uint64_t calls = result.counted_calls();
  const uint64_t ok = result.status_counts.count(0) ? result.status_counts.at(0) : 0;
  const uint64_t errors = calls - ok;
  const double qps = result.measured_seconds > 0 ? calls / result.measured_seconds : 0;
  const bench::LogLinearHistogram& latency = result.latency_ns;
  const std::pair<const char*, double> percentiles[] = {
      {"p50", 50}, {"p90", 90}, {"p99", 99}, {"p999", 99.9}};

  if (absl::GetFlag(FLAGS_json)) {
    std::string json = absl::StrCat(
        "{\"label\":", JsonString(absl::GetFlag(FLAGS_label)), ",\"target\":", JsonString(target),
        ",\"rpc\":", JsonString(absl::GetFlag(FLAGS_rpc)), ",\"version\":", JsonString(version),
        ",\"concurrency\":", concurrency, ",\"channels\":", channel_count, ",\"threads\":", threads,
        ",\"rate\":", load.rate, ",\"batch_size\":", pool_options.batch_size,
        ",\"pool_size\":", pool->requests.size(),
        ",\"seconds\":", absl::StrFormat("%.3f", result.measured_seconds), ",\"calls\":", calls,
        ",\"ok\":", ok, ",\"errors\":", errors, ",\"qps\":", absl::StrFormat("%.1f", qps),
        ",\"all_calls\":", result.all_calls, ",\"client_cpu_us_per_call\":",
        absl::StrFormat("%.1f", result.all_calls > 0
                                    ? result.client_cpu_seconds * 1e6 / result.all_calls
                                    : 0.0),
        ",\"send_lag_us\":{\"p50\":",
        absl::StrFormat("%.1f", Micros(result.send_lag_ns.ValueAtPercentile(50))),
        ",\"p99\":", absl::StrFormat("%.1f", Micros(result.send_lag_ns.ValueAtPercentile(99))),
        ",\"max\":", absl::StrFormat("%.1f", Micros(result.send_lag_ns.max())), "}",
        ",\"checked_responses\":", result.checked_responses,
        ",\"bad_responses\":", result.bad_responses, ",\"latency_us\":{");
    for (const auto& [name, percentile] : percentiles) {
      absl::StrAppend(&json, "\"", name,
                      "\":", absl::StrFormat("%.1f", Micros(latency.ValueAtPercentile(percentile))),
                      ",");
    }
    absl::StrAppend(&json, "\"max\":", absl::StrFormat("%.1f", Micros(latency.max())),
                    ",\"mean\":", absl::StrFormat("%.1f", latency.mean() / 1000.0),
                    "},\"status_counts\":{");
    bool first = true;
    for (const auto& [code, count] : result.status_counts) {
      absl::StrAppend(&json, first ? "" : ",", "\"", StatusName(code), "\":", count);
      first = false;
    }
    absl::StrAppend(&json, "}}");
    std::printf("%s\n", json.c_str());
  } else {
    std::printf("%s %s (version %s) against %s: concurrency %d, %d channels, %d threads%s\n",
                absl::GetFlag(FLAGS_rpc).c_str(), pool->method.c_str(), version.c_str(),
                target.c_str(), concurrency, channel_count, threads,
                load.rate > 0 ? absl::StrFormat(", paced at %.0f/s", load.rate).c_str() : "");
    std::printf("calls   %llu in %.2f s: %.0f QPS (%llu OK, %llu errors)\n",
                static_cast<unsigned long long>(calls), result.measured_seconds, qps,
                static_cast<unsigned long long>(ok), static_cast<unsigned long long>(errors));
    std::printf("latency us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  mean %.1f\n",
                Micros(latency.ValueAtPercentile(50)), Micros(latency.ValueAtPercentile(90)),
                Micros(latency.ValueAtPercentile(99)), Micros(latency.ValueAtPercentile(99.9)),
                Micros(latency.max()), latency.mean() / 1000.0);
    for (const auto& [code, count] : result.status_counts) {
      std::printf("status  %-20s %llu\n", StatusName(code), static_cast<unsigned long long>(count));
    }
    if (load.rate > 0) {
      std::printf("send lag us (behind schedule): p50 %.1f  p99 %.1f  max %.1f\n",
                  Micros(result.send_lag_ns.ValueAtPercentile(50)),
                  Micros(result.send_lag_ns.ValueAtPercentile(99)),
                  Micros(result.send_lag_ns.max()));
    }
    if (result.all_calls > 0) {
      std::printf("client  %.1f us CPU per call (all %llu calls, warmup included)\n",
                  result.client_cpu_seconds * 1e6 / result.all_calls,
                  static_cast<unsigned long long>(result.all_calls));
    }
    std::printf("checked %llu sampled responses, %llu wrong\n",
                static_cast<unsigned long long>(result.checked_responses),
                static_cast<unsigned long long>(result.bad_responses));
  }
  return 0;
}
