// Single-thread cost of each core operation: building 006 and 007 tokens,
// decoding them, verifying their signatures, and drawing an Issuance. Each
// benchmark rotates through a small pool of realistic channels and uids, so
// no result comes from one payload repeated. The pool and the issuance values
// are mirrored in node_core_bench.js so core_bench.sh compares like with
// like. Measures only; build with -DCMAKE_BUILD_TYPE=Release for numbers.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "core/base64.h"
#include "core/byte_io.h"
#include "core/compression.h"
#include "core/signing.h"
#include "core/small_deflate.h"
#include "core/token.h"

namespace {

// Test credentials made up for the benchmark (keep in sync with the Node file).
constexpr char kAppId[] = "3f2b9c1d4e5a60718293a4b5c6d7e8f9";
constexpr char kAppCertificate[] = "a1B2c3D4e5F60718293A4b5C6d7E8f90";

// A pool of realistic subjects: short and long names, punctuation, and uids
// from the wildcard to the maximum. Keep in sync with node_core_bench.js.
struct Subject {
  const char* channel_name;
  uint32_t uid;
};
constexpr std::array<Subject, 8> kSubjects = {{
    {"lobby", 0},
    {"room-4821", 1},
    {"Team Standup (daily)", 42},
    {"game:match#88231", 10001},
    {"class_2024_spring_physics_101", 2882341273u},
    {"support-ticket-771203", 123456789},
    {"live|concert|stage-B", 4294967295u},
    {"7d72365eb983485397e3e3f9d460bdda", 987654},
}};
constexpr size_t kPoolMask = kSubjects.size() - 1;
static_assert((kSubjects.size() & kPoolMask) == 0, "the pool size must be a power of two");

constexpr uint32_t kIssueTsBase = 1700000000;
constexpr uint32_t kTokenExpire = 3600;  // 007: seconds after issue
constexpr uint32_t kPrivilegeExpire = 3600;

// Fixed issuance per pool entry: the builders are measured without the salt
// draw, which BM_NewIssuance measures on its own.
agora_token::Issuance IssuanceFor(size_t i) {
  return agora_token::Issuance{kIssueTsBase + static_cast<uint32_t>(i),
                               static_cast<uint32_t>(1000 + 7919 * i)};
}

// The benchmark app's key, or null if the core rejects the credentials (then
// every benchmark reports an error instead of a number).
const agora_token::AppKey* BenchAppKey() {
  static const agora_token::AppKey* const key = [] {
    absl::StatusOr<agora_token::AppKey> made = agora_token::AppKey::New({kAppId, kAppCertificate});
    return made.ok() ? new agora_token::AppKey(*std::move(made)) : nullptr;
  }();
  return key;
}

agora_token::Rtc006Params Params006(size_t i) {
  agora_token::Rtc006Params params;
  params.channel_name = kSubjects[i].channel_name;
  params.user = kSubjects[i].uid;
  params.role = agora_token::RtcRole::kPublisher;
  params.privilege_expired_ts = IssuanceFor(i).issue_ts + kPrivilegeExpire;
  return params;
}

agora_token::Rtc007Params Params007(size_t i) {
  agora_token::Rtc007Params params;
  params.channel_name = kSubjects[i].channel_name;
  params.user = kSubjects[i].uid;
  params.role = agora_token::RtcRole::kPublisher;
  params.token_expire = kTokenExpire;
  params.privilege_expire = kPrivilegeExpire;
  return params;
}

// The pool's tokens of one kind, built once outside the timed loops.
enum class PoolKind { k006, k007Compatible, k007Fast };

absl::StatusOr<std::vector<std::string>> BuildPool(PoolKind kind) {
  const agora_token::AppKey* app = BenchAppKey();
  if (app == nullptr) return absl::InvalidArgumentError("the benchmark credentials were rejected");
  std::vector<std::string> tokens;
  for (size_t i = 0; i < kSubjects.size(); ++i) {
    absl::StatusOr<agora_token::BuiltToken> built =
        kind == PoolKind::k006
            ? agora_token::BuildRtcToken006(*app, Params006(i), IssuanceFor(i))
            : agora_token::BuildRtcToken007(*app, Params007(i), IssuanceFor(i),
                                            kind == PoolKind::k007Fast
                                                ? agora_token::Compression::kFast
                                                : agora_token::Compression::kCompatible);
    if (!built.ok()) return built.status();
    tokens.push_back(std::move(built->token));
  }
  return tokens;
}

absl::StatusOr<std::vector<agora_token::DecodedToken>> DecodePool(PoolKind kind) {
  absl::StatusOr<std::vector<std::string>> tokens = BuildPool(kind);
  if (!tokens.ok()) return tokens.status();
  std::vector<agora_token::DecodedToken> decoded;
  for (const std::string& token : *tokens) {
    absl::StatusOr<agora_token::DecodedToken> one = agora_token::DecodeToken(token);
    if (!one.ok()) return one.status();
    decoded.push_back(*std::move(one));
  }
  return decoded;
}

void BM_Build006RtcUidPublisher(benchmark::State& state) {
  const agora_token::AppKey* app = BenchAppKey();
  if (app == nullptr) return state.SkipWithError("the benchmark credentials were rejected");
  std::array<agora_token::Rtc006Params, kSubjects.size()> params;
  for (size_t i = 0; i < params.size(); ++i) params[i] = Params006(i);
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & kPoolMask;
    benchmark::DoNotOptimize(agora_token::BuildRtcToken006(*app, params[k], IssuanceFor(k)));
  }
}
BENCHMARK(BM_Build006RtcUidPublisher);

void Build007(benchmark::State& state, agora_token::Compression compression) {
  const agora_token::AppKey* app = BenchAppKey();
  if (app == nullptr) return state.SkipWithError("the benchmark credentials were rejected");
  std::array<agora_token::Rtc007Params, kSubjects.size()> params;
  for (size_t i = 0; i < params.size(); ++i) params[i] = Params007(i);
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & kPoolMask;
    benchmark::DoNotOptimize(
        agora_token::BuildRtcToken007(*app, params[k], IssuanceFor(k), compression));
  }
}
void BM_Build007Compatible(benchmark::State& state) {
  Build007(state, agora_token::Compression::kCompatible);
}
void BM_Build007Fast(benchmark::State& state) { Build007(state, agora_token::Compression::kFast); }
BENCHMARK(BM_Build007Compatible);
BENCHMARK(BM_Build007Fast);

void Decode(benchmark::State& state, PoolKind kind) {
  absl::StatusOr<std::vector<std::string>> tokens = BuildPool(kind);
  if (!tokens.ok()) {
    state.SkipWithError("building the token pool failed");
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(agora_token::DecodeToken((*tokens)[i++ & kPoolMask]));
  }
}
void BM_Decode006(benchmark::State& state) { Decode(state, PoolKind::k006); }
void BM_Decode007(benchmark::State& state) { Decode(state, PoolKind::k007Compatible); }
void BM_Decode007Fast(benchmark::State& state) { Decode(state, PoolKind::k007Fast); }
BENCHMARK(BM_Decode006);
BENCHMARK(BM_Decode007);
BENCHMARK(BM_Decode007Fast);

// Inflating the zlib streams inside the compatible pool's tokens (fixed-code
// blocks), the part of BM_Decode007 that BM_Decode007Fast mostly lacks.
void BM_Inflate007(benchmark::State& state) {
  absl::StatusOr<std::vector<std::string>> tokens = BuildPool(PoolKind::k007Compatible);
  if (!tokens.ok()) return state.SkipWithError("building the token pool failed");
  std::vector<std::string> streams(tokens->size());
  for (size_t i = 0; i < streams.size(); ++i) {
    if (!agora_token::Base64DecodeStrict(std::string_view((*tokens)[i]).substr(3), &streams[i])) {
      return state.SkipWithError("a pool token is not base64");
    }
  }
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(agora_token::ZlibDecompress(streams[i++ & kPoolMask], 1 << 16, &out));
  }
}
BENCHMARK(BM_Inflate007);

// Verification of an already decoded token, as the npm verifySignature.
void Verify(benchmark::State& state, PoolKind kind) {
  absl::StatusOr<std::vector<agora_token::DecodedToken>> decoded = DecodePool(kind);
  if (!decoded.ok()) {
    state.SkipWithError("building or decoding the token pool failed");
    return;
  }
  std::vector<agora_token::Token006Subject> subjects;
  for (const Subject& subject : kSubjects) {
    subjects.push_back(agora_token::Token006Subject::ForRtc(subject.channel_name, subject.uid));
  }
  const bool is006 = kind == PoolKind::k006;
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & kPoolMask;
    benchmark::DoNotOptimize(agora_token::VerifySignature((*decoded)[k], kAppCertificate,
                                                          is006 ? &subjects[k] : nullptr));
  }
}
void BM_Verify006(benchmark::State& state) { Verify(state, PoolKind::k006); }
void BM_Verify007(benchmark::State& state) { Verify(state, PoolKind::k007Compatible); }
BENCHMARK(BM_Verify006);
BENCHMARK(BM_Verify007);

// Decoding and verifying a received 007 token, as a server checking one does.
void BM_DecodeAndVerify007(benchmark::State& state) {
  absl::StatusOr<std::vector<std::string>> tokens = BuildPool(PoolKind::k007Compatible);
  if (!tokens.ok()) {
    state.SkipWithError("building the token pool failed");
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    absl::StatusOr<agora_token::DecodedToken> decoded =
        agora_token::DecodeToken((*tokens)[i++ & kPoolMask]);
    if (!decoded.ok()) return state.SkipWithError("a pool token did not decode");
    benchmark::DoNotOptimize(agora_token::VerifySignature(*decoded, kAppCertificate, nullptr));
  }
}
BENCHMARK(BM_DecodeAndVerify007);

// Subject k's RTC 007 payload into `payload`: the signature field and the
// signing info, packed and signed (Sign007's three HMACs), nothing else.
void PackAndSign007(size_t k, std::string_view account, std::string* payload) {
  constexpr size_t kSignatureField = 2 + agora_token::kSha256Size;
  const agora_token::Issuance at = IssuanceFor(k);
  const std::string_view channel = kSubjects[k].channel_name;
  // str(app_id) u32 u32 u32 u16, then RTC: u16 type, 4 privileges,
  // str(channel) str(account).
  const size_t info_size =
      2 + 32 + 4 + 4 + 4 + 2 + 2 + 2 + 4 * 6 + 2 + channel.size() + 2 + account.size();
  payload->resize(kSignatureField + info_size);
  agora_token::ByteWriter w(payload->data() + kSignatureField);
  w.Str(kAppId);
  w.U32(at.issue_ts);
  w.U32(kTokenExpire);
  w.U32(at.salt);
  w.U16(1);
  w.U16(agora_token::kServiceRtc);
  w.U16(4);
  for (uint16_t privilege = 1; privilege <= 4; ++privilege) {
    w.U16(privilege);
    w.U32(kPrivilegeExpire);
  }
  w.Str(channel);
  w.Str(account);
  const std::string_view info = std::string_view(*payload).substr(kSignatureField);
  const agora_token::Sha256Digest signature =
      agora_token::Sign007(kAppCertificate, at.issue_ts, at.salt, info);
  agora_token::ByteWriter(payload->data()).Str(agora_token::AsStringView(signature));
}

// The pool's accounts: the uid's decimal text, or "" for uid 0.
std::array<std::string, kSubjects.size()> Accounts() {
  std::array<std::string, kSubjects.size()> accounts;
  for (size_t i = 0; i < accounts.size(); ++i) {
    if (kSubjects[i].uid != 0) accounts[i] = std::to_string(kSubjects[i].uid);
  }
  return accounts;
}

// The floor under every 007 build: packing the same RTC signing info, its
// three HMACs (Sign007) and base64 of the payload, with no validation,
// deflate or result bookkeeping. core_bench.sh reports each row against it.
void BM_Floor007(benchmark::State& state) {
  const std::array<std::string, kSubjects.size()> accounts = Accounts();
  std::string payload;
  std::string token;
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & kPoolMask;
    PackAndSign007(k, accounts[k], &payload);
    token.assign("007");
    agora_token::Base64Append(payload, &token);
    benchmark::DoNotOptimize(token.data());
  }
}
BENCHMARK(BM_Floor007);

// The pool's RTC 007 payloads (signature field and signing info), packed and
// signed as BM_Floor007 does.
std::array<std::string, kSubjects.size()> Payloads007() {
  const std::array<std::string, kSubjects.size()> accounts = Accounts();
  std::array<std::string, kSubjects.size()> payloads;
  for (size_t k = 0; k < kSubjects.size(); ++k) PackAndSign007(k, accounts[k], &payloads[k]);
  return payloads;
}

// Compatible mode's deflate alone (SmallDeflate) on the pool's payloads.
void BM_SmallDeflate007(benchmark::State& state) {
  const std::array<std::string, kSubjects.size()> payloads = Payloads007();
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    out.clear();
    agora_token::SmallDeflate(payloads[i++ & kPoolMask], &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_SmallDeflate007);

void BM_NewIssuance(benchmark::State& state) {
  const agora_token::SystemClock clock;
  for (auto _ : state) benchmark::DoNotOptimize(agora_token::NewIssuance(clock));
}
BENCHMARK(BM_NewIssuance);

}  // namespace

BENCHMARK_MAIN();
