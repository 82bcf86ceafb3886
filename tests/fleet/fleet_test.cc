// The fleet test: three replicas of the real agora-token-server binary on
// loopback under a steady stream of calls, first behind nginx running the
// production config (deploy/nginx/agora-token.conf), then again with
// gRPC's client-side round_robin over the three addresses. While the calls
// flow, each replica is restarted in turn (SIGTERM, drain, exit, start on
// the same port, SERVING), the keyring is rotated on every replica (new
// primary certificate, the old one as secondary, SIGHUP), and behind nginx
// one replica is killed with SIGKILL and started again.
//
// What must hold: no call fails during the planned restarts and the
// rotation (the client's retry policy, UNAVAILABLE and CANCELLED, may retry; the
// retries are counted); after the SIGKILL, only calls in flight on the
// killed replica fail (a burst of batches just before makes sure there are
// some), the retry policy recovers those that had no answer yet, and no
// call fails that was not in flight at that moment; every sampled token
// (1 in 50, and the first of each batch) carries
// what was asked for and verifies with the certificate in force when it
// was minted. The test prints, per phase, the calls sent, failed and
// retried, and the latency percentiles, so restarts can be compared with
// steady state. Timing is never asserted.
//
// With AGORA_TOKEN_FLEET_IMAGE set (tests/container runs it so, under a
// private dockerd), the nginx run's replicas are containers of that image
// instead: a graceful restart is `docker stop` then `docker start`, the
// keyring rotation reaches them only through their mounted keyring
// directory (each must reload by itself on the change, no SIGHUP), and the
// kill is `docker kill`.
#include <google/protobuf/text_format.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "agora/token/v1/keyring.pb.h"
#include "clients/cpp/token_client.h"
#include "core/token.h"
#include "tests/e2e/token_server_process.h"
#include "tests/fleet/channel_attempts.h"
#include "tests/fleet/nginx_front.h"
#include "tests/fleet/replica_process.h"
#include "tests/fleet/steady_load.h"

namespace agora_token_fleet {
namespace {

namespace v1 = agora::token::v1;
using agora_token_e2e::TempDir;

constexpr int kReplicas = 3;
constexpr double kCallsPerSecond = 400;
constexpr int kMaxInFlight = 64;
constexpr std::chrono::milliseconds kCallDeadline{5000};
constexpr uint64_t kSampleEvery = 50;
// The retry policy of the shipped C++ client (clients/cpp), at its most.
constexpr int kMaxAttempts = 5;
// The replica keeps serving, NOT_SERVING, this long after SIGTERM. Neither
// nginx nor the clients here check health: they learn of a restart from the
// replica's GOAWAY and refused connections, so calls must keep succeeding
// through the delay and past it.
constexpr std::chrono::milliseconds kShutdownDelay{1000};
constexpr std::chrono::milliseconds kDrainTimeout{5000};
constexpr std::chrono::milliseconds kStartTimeout{15000};
constexpr std::chrono::milliseconds kServingTimeout{10000};
constexpr std::chrono::milliseconds kSteadyPhase{3000};
// After a replica is back, before the next step: clients reconnect to it.
constexpr std::chrono::milliseconds kSettle{2000};
// Before the SIGKILL: BuildTokens batches sent at once, and how long after
// sending them the replica is killed (while the replicas work on them).
constexpr int kBurstCalls = 48;
constexpr int kBurstItems = 100;
constexpr std::chrono::milliseconds kBurstHead{5};

std::string ServerBinary() { return AGORA_TOKEN_SERVER_BINARY; }
// The image to run the replicas from; empty: plain processes.
std::string FleetImage() {
  const char* image = std::getenv("AGORA_TOKEN_FLEET_IMAGE");
  return image == nullptr ? std::string() : std::string(image);
}
constexpr char kDocker[] = "/usr/bin/docker";
std::string RepoFile(const std::string& path) {
  return std::string(AGORA_TOKEN_REPO_ROOT) + "/" + path;
}

double UnixSeconds(std::chrono::system_clock::time_point when) {
  return std::chrono::duration<double>(when.time_since_epoch()).count();
}

double Millis(SteadyClock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

// The app and certificate of the development keyring, which the fleet
// starts with.
struct AppSecret {
  std::string app_id;
  std::string certificate;  // secret: never printed
};

absl::StatusOr<AppSecret> ReadDevelopmentApp(const std::string& keyring_text) {
  v1::Keyring keyring;
  if (!google::protobuf::TextFormat::ParseFromString(keyring_text, &keyring) ||
      keyring.apps_size() == 0 || keyring.apps(0).primary_certificate().value().empty()) {
    return absl::FailedPreconditionError(
        "deploy/dev/keyring.textproto no longer has an app with an inline primary certificate");
  }
  return AppSecret{keyring.apps(0).app_id(), keyring.apps(0).primary_certificate().value()};
}

// What the server logs after a reload ("why" says what triggered it).
constexpr char kReloaded[] = "reloaded the serving state";
constexpr char kReloadedByWatcher[] = "a watched file changed";
constexpr char kReloadFailed[] = "reload refused; the previous state keeps serving";

// Three replicas sharing one keyring file, each restartable on its ports.
class Fleet {
 public:
  static absl::StatusOr<std::unique_ptr<Fleet>> Start(const TempDir& dir,
                                                      const std::string& keyring_path,
                                                      const std::string& image) {
    std::unique_ptr<Fleet> fleet(new Fleet(dir));
    fleet->options_.binary = ServerBinary();
    fleet->options_.keyring_path = keyring_path;
    if (!image.empty()) {
      fleet->options_.docker = kDocker;
      fleet->options_.image = image;
    }
    fleet->options_.extra_flags = {"--shutdown-delay-ms", std::to_string(kShutdownDelay.count()),
                                   "--drain-timeout-ms", std::to_string(kDrainTimeout.count())};
    fleet->replicas_.resize(kReplicas);
    fleet->starts_.assign(kReplicas, 0);
    for (int i = 0; i < kReplicas; ++i) {
      absl::Status started = fleet->StartReplica(i, ReplicaPorts());
      if (!started.ok()) return started;
    }
    return fleet;
  }

  ~Fleet() {
    replicas_.clear();
    if (!containers()) return;
    for (int i = 0; i < kReplicas; ++i) {
      (void)agora_token_e2e::RunToCompletion({kDocker, "rm", "-f", ContainerName(i)}, "", "",
                                             std::chrono::seconds(30));
    }
  }

  bool containers() const { return !options_.docker.empty(); }
  ReplicaProcess& replica(int i) { return *replicas_[i]; }
  std::vector<std::string> addresses() const {
    std::vector<std::string> addresses;
    for (const auto& replica : replicas_) addresses.push_back(replica->address());
    return addresses;
  }
  std::vector<std::string> http_addresses() const {
    std::vector<std::string> addresses;
    for (const auto& replica : replicas_) addresses.push_back(replica->http_address());
    return addresses;
  }
  // What each restart took, for the report.
  const std::vector<std::string>& restart_notes() const { return restart_notes_; }

  // SIGTERM; the replica must drain and exit 0 in time; then it starts
  // again on the same ports and must report SERVING.
  absl::Status RestartGracefully(int i) {
    ReplicaProcess& old = *replicas_[i];
    const ReplicaPorts ports = old.ports();
    const SteadyClock::time_point sigterm = SteadyClock::now();
    // `docker stop` sends the image's STOPSIGNAL (SIGTERM); its timeout is
    // longer than the drain, so a SIGKILL from it would show as exit 137.
    std::unique_ptr<agora_token_e2e::ChildProcess> stopper;
    if (containers()) {
      absl::StatusOr<std::unique_ptr<agora_token_e2e::ChildProcess>> spawned =
          agora_token_e2e::ChildProcess::Spawn({kDocker, "stop", "-t", "30", ContainerName(i)}, "",
                                               "");
      if (!spawned.ok()) return spawned.status();
      stopper = *std::move(spawned);
    } else {
      old.process().Signal(SIGTERM);
    }
    absl::StatusOr<int> code =
        old.process().WaitForExit(kShutdownDelay + kDrainTimeout + std::chrono::seconds(5));
    if (stopper != nullptr) {
      absl::StatusOr<int> stopped = stopper->WaitForExit(std::chrono::seconds(10));
      if (!stopped.ok() || *stopped != 0) return absl::InternalError("docker stop failed");
    }
    if (!code.ok() || *code != 0 || old.CountLogged("stopped") != 1) {
      return absl::InternalError(absl::StrCat(
          "replica ", i, " did not drain and exit 0 after ", StopName(), " (",
          code.ok() ? absl::StrCat("exit ", *code) : std::string(code.status().message()),
          "); log:\n", old.LogText()));
    }
    const SteadyClock::time_point exited = SteadyClock::now();
    absl::Status started = StartReplica(i, ports);
    if (!started.ok()) return started;
    restart_notes_.push_back(absl::StrFormat(
        "replica %d (%s): %s to exit %.0f ms, start to SERVING %.0f ms", i,
        replicas_[i]->address(), StopName(), Millis(exited - sigterm),
        Millis(SteadyClock::now() - exited)));
    return absl::OkStatus();
  }

  // SIGKILL, then start again on the same ports until SERVING. `dead` is
  // set once the process is known to be gone (reaped).
  absl::Status KillAndRestart(int i, SteadyClock::time_point* dead) {
    ReplicaProcess& old = *replicas_[i];
    const ReplicaPorts ports = old.ports();
    if (containers()) {
      // docker kill's default signal is SIGKILL; the attached client exits
      // with the container's 137.
      absl::StatusOr<int> killed = agora_token_e2e::RunToCompletion(
          {kDocker, "kill", ContainerName(i)}, "", "", std::chrono::seconds(30));
      if (!killed.ok() || *killed != 0) return absl::InternalError("docker kill failed");
    } else {
      old.process().Signal(SIGKILL);
    }
    absl::StatusOr<int> code = old.process().WaitForExit(std::chrono::seconds(5));
    *dead = SteadyClock::now();
    if (!code.ok() || *code != 128 + SIGKILL) {
      return absl::InternalError(absl::StrCat("replica ", i, " did not die of SIGKILL"));
    }
    return StartReplica(i, ports);
  }

  // What makes a replica reload in this mode: SIGHUP for processes (a
  // replica also reloads by itself when it sees the file change; the
  // SIGHUP is what an operator sends, so that is what counts), the change
  // of the mounted file for containers (as a Secret update reaches a pod).
  const char* ReloadTrigger() const { return containers() ? kReloadedByWatcher : "SIGHUP"; }

  // Each replica's count of reloads by that trigger, before a rotation.
  std::vector<int> ReloadCounts() const {
    std::vector<int> counts;
    for (const auto& replica : replicas_) {
      counts.push_back(replica->CountLogged(kReloaded, "why", ReloadTrigger()));
    }
    return counts;
  }

  // After the keyring files changed: SIGHUP to every process replica; each
  // replica must log a reload by its trigger since `reloads_before`.
  absl::Status ReloadKeyrings(const std::vector<int>& reloads_before) {
    if (!containers()) {
      for (const auto& replica : replicas_) replica->process().Signal(SIGHUP);
    }
    for (int i = 0; i < kReplicas; ++i) {
      const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
      while (replicas_[i]->CountLogged(kReloaded, "why", ReloadTrigger()) == reloads_before[i]) {
        if (replicas_[i]->CountLogged(kReloadFailed) > 0 || SteadyClock::now() >= deadline) {
          return absl::InternalError(absl::StrCat(
              "replica ", i, " did not reload the keyring; log:\n", replicas_[i]->LogText()));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    return absl::OkStatus();
  }

  std::string Logs() const {
    std::string logs;
    for (int i = 0; i < kReplicas; ++i) {
      absl::StrAppend(&logs, "--- replica ", i, " (start ", starts_[i], ") log:\n",
                      replicas_[i] ? replicas_[i]->LogText() : std::string("(not running)\n"));
    }
    return logs;
  }

 private:
  explicit Fleet(const TempDir& dir) : dir_(dir) {}

  // Unique per run: the daemon may be shared with other runs' containers.
  std::string ContainerName(int i) const {
    return absl::StrCat("agora-token-fleet-", getpid(), "-", i);
  }
  const char* StopName() const { return containers() ? "docker stop" : "SIGTERM"; }

  absl::Status StartReplica(int i, const ReplicaPorts& ports) {
    ++starts_[i];
    replicas_[i].reset();  // reaps the old process
    ReplicaOptions options = options_;
    options.container = ContainerName(i);
    absl::StatusOr<std::unique_ptr<ReplicaProcess>> replica = ReplicaProcess::Start(
        options, ports, dir_.File(absl::StrCat("replica-", i, ".start-", starts_[i], ".log")),
        kStartTimeout);
    if (!replica.ok()) return replica.status();
    replicas_[i] = *std::move(replica);
    return replicas_[i]->WaitUntilServing(kServingTimeout);
  }

  const TempDir& dir_;
  ReplicaOptions options_;
  std::vector<std::unique_ptr<ReplicaProcess>> replicas_;
  std::vector<int> starts_;
  std::vector<std::string> restart_notes_;
};

// Writes a keyring that rotates the app's certificate: `primary` signs from
// now on, `secondary` (the old one) still verifies. The certificates go to
// files of their own; the keyring replaces the old one atomically, so a
// replica never reads half a file.
absl::Status WriteRotatedKeyring(const std::string& keyring_path, const std::string& app_id,
                                 const std::string& primary, const std::string& secondary) {
  const std::string dir = keyring_path.substr(0, keyring_path.rfind('/'));
  absl::Status written = agora_token_e2e::WriteFile(dir + "/primary.certificate", primary + "\n");
  if (written.ok()) {
    written = agora_token_e2e::WriteFile(dir + "/secondary.certificate", secondary + "\n");
  }
  if (!written.ok()) return written;
  const std::string next = keyring_path + ".next";
  written = agora_token_e2e::WriteFile(
      next, absl::StrCat("apps {\n  app_id: \"", app_id,
                         "\"\n  primary_certificate { path: \"primary.certificate\" }\n"
                         "  secondary_certificate { path: \"secondary.certificate\" }\n}\n"));
  if (!written.ok()) return written;
  if (std::rename(next.c_str(), keyring_path.c_str()) != 0) {
    return absl::InternalError("cannot replace the keyring");
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------- phases

struct Phase {
  std::string name;
  bool disruption = false;  // a restart, rotation or kill, as against steady state
  SteadyClock::time_point begin;
  SteadyClock::time_point end;
  double begin_unix = 0;
  double end_unix = 0;
  AttemptCounts attempts;  // during the phase
};

// Consecutive phases of one run. With a channelz target, each phase's
// attempt counts are the difference between the snapshots at its two ends.
class Timeline {
 public:
  // `channelz_target` empty: attempts are counted elsewhere (nginx's log).
  explicit Timeline(std::string channelz_target) : target_(std::move(channelz_target)) {}

  absl::Status Enter(const std::string& name, bool disruption) {
    absl::Status closed = CloseCurrent();
    if (!closed.ok()) return closed;
    Phase phase;
    phase.name = name;
    phase.disruption = disruption;
    phase.begin = SteadyClock::now();
    phase.begin_unix = UnixSeconds(std::chrono::system_clock::now());
    phases_.push_back(phase);
    open_ = true;
    return absl::OkStatus();
  }
  // Ends the last phase (after the load has stopped, so it has every retry).
  absl::Status Finish() { return CloseCurrent(); }
  const std::vector<Phase>& phases() const { return phases_; }
  const AttemptCounts& total() const { return last_snapshot_; }

 private:
  absl::Status CloseCurrent() {
    AttemptCounts now;
    if (!target_.empty()) {
      absl::StatusOr<AttemptCounts> counted = CountAttempts(target_);
      if (!counted.ok()) return counted.status();
      now = *counted;
    }
    if (open_) {
      Phase& phase = phases_.back();
      phase.end = SteadyClock::now();
      phase.end_unix = UnixSeconds(std::chrono::system_clock::now());
      phase.attempts = now.Since(last_snapshot_);
    }
    last_snapshot_ = now;
    open_ = false;
    return absl::OkStatus();
  }

  std::string target_;
  std::vector<Phase> phases_;
  AttemptCounts last_snapshot_;
  bool open_ = false;
};

double Percentile(std::vector<double> values, double percentile) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::ceil(percentile / 100.0 * values.size()));
  return values[std::min(values.size(), std::max<size_t>(rank, 1)) - 1];
}

// What the client saw for the calls that fell due in one phase.
struct PhaseCalls {
  uint64_t calls = 0;
  uint64_t failed = 0;
  std::map<std::string, int> errors;
  std::vector<double> latency_ms;  // from when each call was due
  // Calls that finished in the phase, whenever they were due: what the
  // attempts nginx logged in the same window are compared with.
  uint64_t finished = 0;
};

PhaseCalls CallsIn(const std::vector<CallRecord>& records, const Phase& phase) {
  PhaseCalls calls;
  for (const CallRecord& record : records) {
    if (record.finished >= phase.begin && record.finished < phase.end) ++calls.finished;
    if (record.due < phase.begin || record.due >= phase.end) continue;
    ++calls.calls;
    calls.latency_ms.push_back(Millis(record.finished - record.due));
    if (record.code != grpc::StatusCode::OK) {
      ++calls.failed;
      ++calls.errors[record.error];
    }
  }
  return calls;
}

// What nginx logged for the attempts that finished in one phase. Every
// attempt the client makes through nginx is one line, so nginx's log counts
// the client's retries exactly (its HTTP/2 connection to nginx is replaced
// every keepalive_requests calls, which would reset gRPC's own per-connection
// counters).
struct PhaseNginx {
  int attempts = 0;
  int failed_attempts = 0;        // anything but a replica's grpc-status 0
  int tried_another_replica = 0;  // nginx's own retries
  int answered_by_nginx = 0;      // its error pages (no replica answered)
  std::map<std::string, int> by_replica;
};

PhaseNginx NginxIn(const std::vector<NginxAccessRecord>& log, const Phase& phase) {
  PhaseNginx nginx;
  for (const NginxAccessRecord& record : log) {
    if (record.finished_unix_seconds < phase.begin_unix ||
        record.finished_unix_seconds >= phase.end_unix) {
      continue;
    }
    ++nginx.attempts;
    if (record.http_status != 200 || record.replica_grpc_status != "0") ++nginx.failed_attempts;
    if (record.upstream_addresses.size() > 1) ++nginx.tried_another_replica;
    if (record.http_status != 200) ++nginx.answered_by_nginx;
    if (!record.upstream_addresses.empty()) ++nginx.by_replica[record.upstream_addresses.back()];
  }
  return nginx;
}

// Attempts beyond the first, and failed attempts, in one phase.
struct PhaseAttempts {
  int64_t retries = 0;
  int64_t failed = 0;
};

struct RunReport {
  std::vector<PhaseCalls> calls;
  std::vector<PhaseAttempts> attempts;
};

// Prints the per-phase table and the run's totals; returns the figures per
// phase for the assertions. Attempts come from nginx's log when there is
// one, else from channelz.
RunReport Report(const std::string& run, const std::vector<Phase>& phases,
                 const std::vector<CallRecord>& records,
                 const std::vector<NginxAccessRecord>* nginx_log) {
  std::vector<PhaseCalls> per_phase;
  std::vector<PhaseAttempts> per_phase_attempts;
  std::printf(
      "\n[fleet %s] %zu calls at %.0f/s (at most %d in flight), retry policy "
      "UNAVAILABLE/CANCELLED x%d\n",
      run.c_str(), records.size(), kCallsPerSecond, kMaxInFlight, kMaxAttempts);
  std::printf("  %-28s %7s %6s %8s %9s %8s %8s %8s", "phase", "calls", "failed", "retries",
              "failed-at", "p50 ms", "p99 ms", "max ms");
  if (nginx_log != nullptr) std::printf(" %10s %10s", "nginx-next", "nginx-err");
  std::printf("\n");
  std::vector<double> steady_ms;
  std::vector<double> disruption_ms;
  uint64_t failed = 0;
  for (const Phase& phase : phases) {
    PhaseCalls calls = CallsIn(records, phase);
    failed += calls.failed;
    std::vector<double>& bucket = phase.disruption ? disruption_ms : steady_ms;
    bucket.insert(bucket.end(), calls.latency_ms.begin(), calls.latency_ms.end());
    PhaseAttempts attempts{phase.attempts.retries(), phase.attempts.attempts_failed};
    PhaseNginx nginx;
    if (nginx_log != nullptr) {
      nginx = NginxIn(*nginx_log, phase);
      // Calls and attempts fall into phases by when each finished, so a
      // retried call at a phase edge can leave one phase an attempt short.
      attempts = {std::max<int64_t>(0, nginx.attempts - static_cast<int64_t>(calls.finished)),
                  nginx.failed_attempts};
    }
    per_phase_attempts.push_back(attempts);
    std::printf("  %-28s %7llu %6llu %8lld %9lld %8.2f %8.2f %8.1f", phase.name.c_str(),
                static_cast<unsigned long long>(calls.calls),
                static_cast<unsigned long long>(calls.failed),
                static_cast<long long>(attempts.retries), static_cast<long long>(attempts.failed),
                Percentile(calls.latency_ms, 50), Percentile(calls.latency_ms, 99),
                Percentile(calls.latency_ms, 100));
    if (nginx_log != nullptr) {
      std::printf(" %10d %10d", nginx.tried_another_replica, nginx.answered_by_nginx);
    }
    std::printf("\n");
    for (const auto& [error, count] : calls.errors) {
      std::printf("      failed %d x %s\n", count, error.c_str());
    }
    per_phase.push_back(std::move(calls));
  }
  int64_t retries = 0;
  int64_t failed_attempts = 0;
  for (const PhaseAttempts& attempts : per_phase_attempts) {
    retries += attempts.retries;
    failed_attempts += attempts.failed;
  }
  if (nginx_log != nullptr) {
    std::printf(
        "  (retries: the client's attempts beyond the first, from nginx's log, by the "
        "time they finished; failed-at: attempts that failed; nginx-next: calls nginx "
        "itself sent on to another replica; nginx-err: calls nginx answered with its "
        "own error page)\n");
  } else {
    std::printf(
        "  (retries: attempts beyond the first, from gRPC's channelz counters; "
        "failed-at: attempts that failed)\n");
  }
  std::printf(
      "[fleet %s] sent %zu, failed %llu, retried %lld (%lld failed attempts); "
      "p99 steady %.2f ms vs during restarts/rotation/kill %.2f ms "
      "(p50 %.2f vs %.2f)\n",
      run.c_str(), records.size(), static_cast<unsigned long long>(failed),
      static_cast<long long>(retries), static_cast<long long>(failed_attempts),
      Percentile(steady_ms, 99), Percentile(disruption_ms, 99), Percentile(steady_ms, 50),
      Percentile(disruption_ms, 50));
  return {std::move(per_phase), std::move(per_phase_attempts)};
}

// ------------------------------------------------------------ token checks

// Whether `sample` verifies with `certificate`, after checking that it is
// the token that was asked for. Errors name the sample, never the token.
absl::StatusOr<bool> VerifiesWith(const TokenSample& sample, const std::string& app_id,
                                  const std::string& certificate) {
  absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(sample.token);
  if (!decoded.ok()) return decoded.status();
  const bool want_006 = sample.version == v1::TOKEN_VERSION_006;
  if (decoded->app_id != app_id ||
      decoded->version !=
          (want_006 ? agora_token::TokenVersion::k006 : agora_token::TokenVersion::k007)) {
    return absl::InvalidArgumentError("wrong app id or token version");
  }
  const std::string account = std::to_string(sample.uid);
  absl::Status verified;
  if (want_006) {
    // The CRCs of channel and uid are checked along with the signature.
    const agora_token::Token006Subject subject =
        agora_token::Token006Subject::ForRtc(sample.channel_name, sample.uid);
    verified = agora_token::VerifySignature(*decoded, certificate, &subject);
  } else {
    const bool grants_the_channel = std::any_of(
        decoded->services.begin(), decoded->services.end(),
        [&](const agora_token::DecodedService& service) {
          return service.type == agora_token::kServiceRtc &&
                 service.channel_name == sample.channel_name && service.account == account;
        });
    if (!grants_the_channel) return absl::InvalidArgumentError("no RTC service for the request");
    verified = agora_token::VerifySignature(*decoded, certificate);
  }
  if (verified.ok()) return true;
  if (verified.code() == absl::StatusCode::kPermissionDenied) return false;
  return verified;
}

// Which certificate may have signed a token: the old one before the
// rotation began, the new one once every replica had reloaded, either in
// between.
struct Rotation {
  SteadyClock::time_point began = SteadyClock::time_point::max();
  SteadyClock::time_point completed = SteadyClock::time_point::max();
  std::string new_certificate;
};

struct SampleCheck {
  int verified_old = 0;
  int verified_new = 0;
  std::vector<std::string> failures;
};

SampleCheck CheckSamples(const std::vector<TokenSample>& samples, const AppSecret& app,
                         const Rotation& rotation) {
  SampleCheck check;
  for (const TokenSample& sample : samples) {
    absl::StatusOr<bool> old_ok = VerifiesWith(sample, app.app_id, app.certificate);
    absl::StatusOr<bool> new_ok = rotation.new_certificate.empty()
                                      ? absl::StatusOr<bool>(false)
                                      : VerifiesWith(sample, app.app_id, rotation.new_certificate);
    if (!old_ok.ok() || !new_ok.ok()) {
      check.failures.push_back(absl::StrCat("call ", sample.index, ": ",
                                            (!old_ok.ok() ? old_ok : new_ok).status().ToString()));
      continue;
    }
    const bool before = sample.finished < rotation.began;
    const bool after = sample.sent > rotation.completed;
    if ((before && !*old_ok) || (after && !*new_ok) || (!*old_ok && !*new_ok)) {
      check.failures.push_back(absl::StrCat("call ", sample.index, " (",
                                            before  ? "before"
                                            : after ? "after"
                                                    : "during",
                                            " the rotation): signature ",
                                            *old_ok   ? "matches the old certificate"
                                            : *new_ok ? "matches the new certificate"
                                                      : "matches neither certificate"));
      continue;
    }
    if (*old_ok) ++check.verified_old;
    if (*new_ok) ++check.verified_new;
  }
  return check;
}

// ----------------------------------------------------------------- fixture

std::shared_ptr<grpc::Channel> NginxChannel(const NginxFront& nginx) {
  grpc::ChannelArguments arguments;
  arguments.SetServiceConfigJSON(agora_token::TokenServiceConfigJson(kMaxAttempts));
  arguments.SetSslTargetNameOverride(nginx.server_name());
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = nginx.root_certificate_pem();
  return grpc::CreateCustomChannel(nginx.address(), grpc::SslCredentials(tls), arguments);
}

// The shipped client's retry policy, balanced per call over every replica.
// Like the shipped clients, no client-side health checking: the client
// learns of a restart from the replica's GOAWAY and refused connections, not
// from its NOT_SERVING health during the shutdown delay.
std::string RoundRobinServiceConfig() {
  nlohmann::json config = nlohmann::json::parse(agora_token::TokenServiceConfigJson(kMaxAttempts));
  config["loadBalancingConfig"] =
      nlohmann::json::array({{{"round_robin", nlohmann::json::object()}}});
  return config.dump();
}

void Pause(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

LoadPlan MakePlan(const std::string& app_id) {
  LoadPlan plan;
  plan.calls_per_second = kCallsPerSecond;
  plan.max_in_flight = kMaxInFlight;
  plan.deadline = kCallDeadline;
  plan.sample_every = kSampleEvery;
  plan.app_id = app_id;
  return plan;
}

// Every call the load scheduled finished and was recorded once.
void ExpectEveryCallRecorded(const SteadyLoad& load, const std::vector<CallRecord>& records) {
  EXPECT_EQ(records.size(), load.scheduled()) << "calls were lost";
  std::vector<uint64_t> indexes;
  for (const CallRecord& record : records) indexes.push_back(record.index);
  std::sort(indexes.begin(), indexes.end());
  EXPECT_TRUE(std::adjacent_find(indexes.begin(), indexes.end()) == indexes.end())
      << "a call finished twice";
}

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TempDir>> dir = TempDir::Create("agora-token-fleet-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
    // The fleet starts from a copy of the development keyring.
    absl::StatusOr<std::string> dev =
        agora_token_e2e::ReadFile(RepoFile("deploy/dev/keyring.textproto"));
    ASSERT_TRUE(dev.ok()) << dev.status();
    absl::StatusOr<AppSecret> app = ReadDevelopmentApp(*dev);
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = *app;
    // In a directory of its own, which containers mount as deploy/k8s
    // mounts the keyring Secret (readable by the image's uid 10001).
    const std::string keyring_dir = dir_->File("keyring");
    ASSERT_EQ(mkdir(keyring_dir.c_str(), 0755), 0);
    keyring_path_ = keyring_dir + "/keyring.textproto";
    ASSERT_TRUE(agora_token_e2e::WriteFile(keyring_path_, *dev).ok());
    absl::StatusOr<std::unique_ptr<Fleet>> fleet =
        Fleet::Start(*dir_, keyring_path_, FleetImage());
    ASSERT_TRUE(fleet.ok()) << fleet.status();
    fleet_ = *std::move(fleet);
  }

  void TearDown() override {
    if (HasFailure() && fleet_ != nullptr) std::printf("%s", fleet_->Logs().c_str());
  }

  // Steady state, each replica restarted in turn, steady state again.
  void SteadyRollingRestartSteady(Timeline& timeline, SteadyLoad& load) {
    ASSERT_TRUE(timeline.Enter("steady", false).ok());
    load.Start();
    Pause(kSteadyPhase);
    ASSERT_TRUE(timeline.Enter("rolling restart", true).ok());
    for (int i = 0; i < kReplicas; ++i) {
      const absl::Status restarted = fleet_->RestartGracefully(i);
      ASSERT_TRUE(restarted.ok()) << restarted;
      Pause(kSettle);
    }
    ASSERT_TRUE(timeline.Enter("steady", false).ok());
    Pause(kSteadyPhase);
  }

  // The production nginx config in front of the fleet's gRPC and HTTP ports.
  absl::StatusOr<std::unique_ptr<NginxFront>> StartNginx() {
    NginxFront::Options options;
    options.nginx_binary = AGORA_TOKEN_NGINX;
    options.openssl_binary = AGORA_TOKEN_OPENSSL;
    options.production_config_path = RepoFile("deploy/nginx/agora-token.conf");
    options.upstreams = {{"agora_token_replicas", fleet_->addresses()},
                         {"agora_token_http_replicas", fleet_->http_addresses()}};
    options.prefix = dir_->File("nginx");
    if (mkdir(options.prefix.c_str(), 0700) != 0) {
      return absl::InternalError(absl::StrCat("mkdir ", options.prefix, " failed"));
    }
    return NginxFront::Start(options, std::chrono::seconds(10));
  }

  std::unique_ptr<TempDir> dir_;
  AppSecret app_;
  std::string keyring_path_;
  std::unique_ptr<Fleet> fleet_;
};

TEST_F(FleetTest, BehindNginxSurvivesRollingRestartRotationAndKill) {
  absl::StatusOr<std::unique_ptr<NginxFront>> started = StartNginx();
  ASSERT_TRUE(started.ok()) << started.status();
  NginxFront& nginx = **started;

  std::shared_ptr<grpc::Channel> channel = NginxChannel(nginx);
  ASSERT_TRUE(
      channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10)))
      << nginx.ErrorLog();
  Timeline timeline(/*channelz_target=*/"");
  SteadyLoad load(channel, MakePlan(app_.app_id));
  Rotation rotation;

  SteadyRollingRestartSteady(timeline, load);
  if (HasFatalFailure()) return;

  ASSERT_TRUE(timeline.Enter("keyring rotation", true).ok());
  rotation.new_certificate = agora_token_e2e::RandomHex(16);
  // Replicas may pick the new file up by themselves before the SIGHUP.
  const std::vector<int> reloads_before = fleet_->ReloadCounts();
  rotation.began = SteadyClock::now();
  ASSERT_TRUE(
      WriteRotatedKeyring(keyring_path_, app_.app_id, rotation.new_certificate, app_.certificate)
          .ok());
  const absl::Status reloaded = fleet_->ReloadKeyrings(reloads_before);
  ASSERT_TRUE(reloaded.ok()) << reloaded;
  rotation.completed = SteadyClock::now();
  Pause(kSettle);
  ASSERT_TRUE(timeline.Enter("steady", false).ok());
  Pause(kSteadyPhase);

  // A burst of batches first, so that the SIGKILL lands while calls are in
  // flight on the replica (the steady stream alone rarely has one there).
  ASSERT_TRUE(timeline.Enter("kill -9 and restart", true).ok());
  load.SendBurst(kBurstCalls, kBurstItems);
  Pause(kBurstHead);
  const int in_flight_at_kill = load.in_flight();
  const SteadyClock::time_point kill_sent = SteadyClock::now();
  SteadyClock::time_point replica_dead;
  const absl::Status killed = fleet_->KillAndRestart(1, &replica_dead);
  ASSERT_TRUE(killed.ok()) << killed;
  Pause(kSettle);
  ASSERT_TRUE(timeline.Enter("steady", false).ok());
  Pause(kSteadyPhase);

  const absl::Status stopped = load.Stop(kCallDeadline + std::chrono::seconds(2));
  ASSERT_TRUE(stopped.ok()) << stopped;
  ASSERT_TRUE(timeline.Finish().ok());

  const std::vector<CallRecord> records = load.Records();
  const std::vector<NginxAccessRecord> access_log = nginx.AccessLog();
  const RunReport report = Report(fleet_->containers() ? "nginx, containers" : "nginx",
                                  timeline.phases(), records, &access_log);
  for (const std::string& note : fleet_->restart_notes()) std::printf("  %s\n", note.c_str());
  std::printf("  calls in flight (all replicas) when replica 1 was killed: %d\n",
              in_flight_at_kill);
  ExpectEveryCallRecorded(load, records);
  // nginx logged every call at least once (else its counts mean nothing).
  EXPECT_GE(access_log.size(), records.size());

  const std::vector<Phase>& phases = timeline.phases();
  for (size_t p = 0; p < phases.size(); ++p) {
    if (phases[p].name.rfind("kill", 0) != 0) {
      // Planned restarts, the rotation and steady state: not one call fails.
      EXPECT_EQ(report.calls[p].failed, 0u) << phases[p].name;
      continue;
    }
    // After the SIGKILL only attempts in flight on the killed replica can
    // fail: never more than the client had in flight at all. The retry
    // policy recovers those refused or cut off before an answer began; one
    // whose answer nginx had already started to relay ends with the reset
    // stream (INTERNAL), which no client may retry blindly.
    EXPECT_LE(report.attempts[p].failed, kMaxInFlight + kBurstCalls);
    EXPECT_LE(report.calls[p].failed, static_cast<uint64_t>(std::max(in_flight_at_kill, 0)));
    std::printf("  after the SIGKILL: %lld failed attempts, %llu calls failed for good\n",
                static_cast<long long>(report.attempts[p].failed),
                static_cast<unsigned long long>(report.calls[p].failed));
  }
  // Every call that failed for good after the SIGKILL was in flight when
  // the replica died (earlier failures are reported above).
  for (const CallRecord& record : records) {
    if (record.code == grpc::StatusCode::OK || record.finished < kill_sent) continue;
    EXPECT_TRUE(record.sent < replica_dead && record.finished > kill_sent)
        << "call " << record.index << " failed (" << record.error
        << ") but was not in flight when the replica was killed";
  }
  // nginx spread the steady load over all three replicas.
  PhaseNginx first_steady = NginxIn(access_log, phases.front());
  for (const std::string& address : fleet_->addresses()) {
    EXPECT_GT(first_steady.by_replica[address], 0) << address << " got no calls from nginx";
  }

  const std::vector<TokenSample> samples = load.Samples();
  const SampleCheck tokens = CheckSamples(samples, app_, rotation);
  std::printf("  sampled tokens: %zu verified (%d with the old certificate, %d with the new)\n",
              samples.size() - tokens.failures.size(), tokens.verified_old, tokens.verified_new);
  EXPECT_TRUE(tokens.failures.empty())
      << tokens.failures.size() << " sampled tokens failed, first: " << tokens.failures.front();
  EXPECT_GT(tokens.verified_old, 0);
  EXPECT_GT(tokens.verified_new, 0);
  EXPECT_GE(samples.size(), records.size() / kSampleEvery / 2);
  if (HasFailure()) {
    std::string errors = nginx.ErrorLog();
    if (errors.size() > 8000) errors = "...\n" + errors.substr(errors.size() - 8000);
    std::printf("--- nginx error log:\n%s\n", errors.c_str());
  }
}

// One HTTP request through nginx with curl (as a browser or PHP client
// would send it): TLS to the config's server_name, HTTP/2 unless `http1`.
struct CurlAnswer {
  int status = 0;
  std::string body;
};

absl::StatusOr<CurlAnswer> CurlThrough(const NginxFront& nginx, const std::string& scratch,
                                       const std::string& method, const std::string& path,
                                       const std::vector<std::string>& extra, bool http1 = false) {
  const std::string certificate = scratch + ".crt";
  absl::Status written = agora_token_e2e::WriteFile(certificate, nginx.root_certificate_pem());
  if (!written.ok()) return written;
  std::vector<std::string> argv = {
      AGORA_TOKEN_CURL, "-sS", "--max-time", "10", "--cacert", certificate, "--resolve",
      absl::StrCat(nginx.server_name(), ":", nginx.port(), ":127.0.0.1"), "-X", method, "-o",
      scratch + ".body", "-w", "%{http_code}", http1 ? "--http1.1" : "--http2"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(absl::StrCat("https://", nginx.server_name(), ":", nginx.port(), path));
  // RunToCompletion appends to its output files.
  for (const char* suffix : {".out", ".err", ".body"}) std::remove((scratch + suffix).c_str());
  absl::StatusOr<int> exited = agora_token_e2e::RunToCompletion(
      argv, scratch + ".out", scratch + ".err", std::chrono::seconds(15));
  if (!exited.ok()) return exited.status();
  absl::StatusOr<std::string> out = agora_token_e2e::ReadFile(scratch + ".out");
  absl::StatusOr<std::string> body = agora_token_e2e::ReadFile(scratch + ".body");
  if (*exited != 0 || !out.ok()) {
    absl::StatusOr<std::string> err = agora_token_e2e::ReadFile(scratch + ".err");
    return absl::UnavailableError(
        absl::StrCat("curl exited ", *exited, ": ", err.ok() ? *err : std::string()));
  }
  return CurlAnswer{std::atoi(out->c_str()), body.ok() ? *body : std::string()};
}

// The HTTP API through the production nginx config: Connect calls share
// gRPC's paths and must still reach the replicas' HTTP ports, the drop-in
// routes too, spread over every replica, while the health routes stay
// private. Replicas run in development mode (no callers to authenticate).
TEST_F(FleetTest, BehindNginxServesTheHttpApi) {
  absl::StatusOr<std::unique_ptr<NginxFront>> started = StartNginx();
  ASSERT_TRUE(started.ok()) << started.status();
  NginxFront& nginx = **started;
  const std::string scratch = dir_->File("curl");
  const auto verify = [&](const std::string& token, const std::string& channel, uint32_t uid) {
    TokenSample sample;
    sample.channel_name = channel;
    sample.uid = uid;
    sample.version = v1::TOKEN_VERSION_007;
    sample.token = token;
    absl::StatusOr<bool> verified = VerifiesWith(sample, app_.app_id, app_.certificate);
    EXPECT_TRUE(verified.ok() && *verified) << channel << ": " << verified.status();
  };

  // A Connect call, JSON over HTTP/2, three times (each may go to another
  // replica); then the same over HTTP/1.1.
  for (int i = 0; i < 4; ++i) {
    const std::string channel = absl::StrCat("fleet-http-", i);
    absl::StatusOr<CurlAnswer> call = CurlThrough(
        nginx, scratch, "POST", "/agora.token.v1.TokenService/BuildRtcTokenWithUid",
        {"-H", "Content-Type: application/json", "-H", "Connect-Protocol-Version: 1", "-d",
         absl::StrCat(R"({"appId":")", app_.app_id, R"(","channelName":")", channel,
                      R"(","uid":42})")},
        /*http1=*/i == 3);
    ASSERT_TRUE(call.ok()) << call.status() << nginx.ErrorLog();
    ASSERT_EQ(call->status, 200) << call->body;
    const nlohmann::json answer = nlohmann::json::parse(call->body, nullptr, false);
    ASSERT_TRUE(answer.is_object() && answer.contains("token")) << call->body;
    verify(answer["token"].get<std::string>(), channel, 42);
  }
  // A drop-in route of agora-token-service, and its /ping.
  absl::StatusOr<CurlAnswer> dropin =
      CurlThrough(nginx, scratch, "GET", "/rtc/fleet-dropin/publisher/uid/7/?expiry=600", {});
  ASSERT_TRUE(dropin.ok()) << dropin.status();
  ASSERT_EQ(dropin->status, 200) << dropin->body;
  const nlohmann::json rtc = nlohmann::json::parse(dropin->body, nullptr, false);
  ASSERT_TRUE(rtc.is_object() && rtc.contains("rtcToken")) << dropin->body;
  verify(rtc["rtcToken"].get<std::string>(), "fleet-dropin", 7);
  absl::StatusOr<CurlAnswer> ping = CurlThrough(nginx, scratch, "GET", "/ping", {}, true);
  ASSERT_TRUE(ping.ok()) << ping.status();
  EXPECT_EQ(ping->status, 200);
  EXPECT_EQ(ping->body, R"({"message":"pong"})");
  // An input error comes back as the replica's Connect error.
  absl::StatusOr<CurlAnswer> refused = CurlThrough(
      nginx, scratch, "POST", "/agora.token.v1.TokenService/BuildRtcTokenWithUid",
      {"-H", "Content-Type: application/json", "-d",
       absl::StrCat(R"({"appId":")", app_.app_id, R"(","channelName":"","uid":42})")});
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 400);
  EXPECT_NE(refused->body.find(R"("code":"invalid_argument")"), std::string::npos) << refused->body;

  // The health routes are the replicas' own: served there, not by nginx.
  for (const char* path : {"/healthz", "/readyz"}) {
    absl::StatusOr<CurlAnswer> hidden = CurlThrough(nginx, scratch, "GET", path, {});
    ASSERT_TRUE(hidden.ok()) << hidden.status();
    EXPECT_EQ(hidden->status, 404) << path << " is served through nginx";
  }
  absl::StatusOr<int> direct = agora_token_e2e::RunToCompletion(
      {AGORA_TOKEN_CURL, "-sSf", "--max-time", "5", "-o", "/dev/null",
       absl::StrCat("http://", fleet_->http_addresses()[0], "/readyz")},
      "", scratch + ".direct", std::chrono::seconds(10));
  EXPECT_TRUE(direct.ok() && *direct == 0) << "a replica's own /readyz did not answer 200";

  // nginx spread the HTTP requests over every replica's HTTP port.
  std::map<std::string, int> by_replica;
  for (const NginxAccessRecord& record : nginx.AccessLog()) {
    for (const std::string& address : record.upstream_addresses) ++by_replica[address];
  }
  for (const std::string& address : fleet_->http_addresses()) {
    EXPECT_GT(by_replica[address], 0) << address << " got no HTTP request from nginx";
  }
  for (const std::string& address : fleet_->addresses()) {
    EXPECT_EQ(by_replica[address], 0) << "an HTTP request went to the gRPC port " << address;
  }
}

TEST_F(FleetTest, ClientSideRoundRobinSurvivesRollingRestart) {
  if (fleet_->containers()) GTEST_SKIP() << "the container fleet runs behind nginx only";
  const std::vector<std::string> addresses = fleet_->addresses();
  const std::string target = absl::StrCat("ipv4:", absl::StrJoin(addresses, ","));
  grpc::ChannelArguments arguments;
  arguments.SetServiceConfigJSON(RoundRobinServiceConfig());
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
  ASSERT_TRUE(
      channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10)));
  Timeline timeline(target);
  SteadyLoad load(channel, MakePlan(app_.app_id));

  SteadyRollingRestartSteady(timeline, load);
  if (HasFatalFailure()) return;
  const absl::Status stopped = load.Stop(kCallDeadline + std::chrono::seconds(2));
  ASSERT_TRUE(stopped.ok()) << stopped;
  ASSERT_TRUE(timeline.Finish().ok());

  const std::vector<CallRecord> records = load.Records();
  const RunReport report = Report("round_robin", timeline.phases(), records, /*nginx_log=*/nullptr);
  for (const std::string& note : fleet_->restart_notes()) std::printf("  %s\n", note.c_str());
  ExpectEveryCallRecorded(load, records);
  // channelz saw exactly these calls (else its retry counts mean nothing).
  EXPECT_EQ(timeline.total().calls_started, static_cast<int64_t>(records.size()));
  EXPECT_GE(timeline.total().attempts_started, timeline.total().calls_started);

  const std::vector<Phase>& phases = timeline.phases();
  for (size_t p = 0; p < phases.size(); ++p) {
    EXPECT_EQ(report.calls[p].failed, 0u) << phases[p].name;
  }
  // round_robin spread the steady load over all three replicas.
  for (const std::string& address : addresses) {
    const auto found = phases.front().attempts.attempts_by_address.find(address);
    EXPECT_TRUE(found != phases.front().attempts.attempts_by_address.end() && found->second > 0)
        << address << " got no calls";
  }
  const std::vector<TokenSample> samples = load.Samples();
  const SampleCheck tokens = CheckSamples(samples, app_, Rotation());
  std::printf("  sampled tokens: %d verified\n", tokens.verified_old);
  EXPECT_TRUE(tokens.failures.empty())
      << tokens.failures.size() << " sampled tokens failed, first: " << tokens.failures.front();
  EXPECT_GE(samples.size(), records.size() / kSampleEvery / 2);
}

}  // namespace
}  // namespace agora_token_fleet
