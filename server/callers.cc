#include "server/callers.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/input_rules.h"
#include "server/end_users.h"
#include "server/jwt_verifier.h"
#include "server/text_proto_file.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

constexpr char kDeniedByPayloadUrl[] = "type.agora.token/denied-by-rule";

absl::Status Denied(std::string_view rule, std::string_view what) {
  return PolicyDenied(rule, what);
}

bool IsCallerName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string_view KindName(TokenKind kind, std::optional<TokenVersion> version) {
  switch (kind) {
    case TokenKind::kRtc:
      return version == TokenVersion::k006 ? "RTC 006" : "RTC 007";
    case TokenKind::kRtm:
      return "RTM";
    case TokenKind::kChatUser:
      return "Chat user";
    case TokenKind::kChatApp:
      return "Chat app";
    case TokenKind::kFpa:
      return "FPA";
    case TokenKind::kApaas:
      return "APaaS";
    case TokenKind::kStreaming:
      return "Streaming";
    case TokenKind::kFcdn:
      return "FCDN";
    case TokenKind::kRtm2:
      return "RTM2";
    case TokenKind::kConvoAi:
      return "ConvoAI";
    case TokenKind::kStt:
      return "STT";
  }
  return "these";
}

// The policy kind of a config's token kind other than RTC, which the policy
// splits by format.
std::optional<TokenKind> KindOfConfig(int kind) {
  switch (kind) {
    case v1::TOKEN_KIND_RTM:
      return TokenKind::kRtm;
    case v1::TOKEN_KIND_CHAT_USER:
      return TokenKind::kChatUser;
    case v1::TOKEN_KIND_CHAT_APP:
      return TokenKind::kChatApp;
    case v1::TOKEN_KIND_FPA:
      return TokenKind::kFpa;
    case v1::TOKEN_KIND_APAAS:
      return TokenKind::kApaas;
    case v1::TOKEN_KIND_STREAMING:
      return TokenKind::kStreaming;
    case v1::TOKEN_KIND_FCDN:
      return TokenKind::kFcdn;
    case v1::TOKEN_KIND_RTM2:
      return TokenKind::kRtm2;
    case v1::TOKEN_KIND_CONVO_AI:
      return TokenKind::kConvoAi;
    case v1::TOKEN_KIND_STT:
      return TokenKind::kStt;
    default:
      return std::nullopt;
  }
}

std::string Fingerprint(std::string_view secret) {
  const Sha256Digest digest = Sha256(secret);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest.data()), 8));
}

constexpr std::string_view kBearer = "Bearer ";

}  // namespace

absl::Status PolicyDenied(std::string_view rule, std::string_view what) {
  absl::Status status =
      absl::PermissionDeniedError(absl::StrCat("this caller ", std::string(what)));
  status.SetPayload(kDeniedByPayloadUrl, absl::Cord(absl::string_view(rule.data(), rule.size())));
  return status;
}

std::string DeniedByRule(const absl::Status& status) {
  absl::optional<absl::Cord> rule = status.GetPayload(kDeniedByPayloadUrl);
  return rule.has_value() ? std::string(*rule) : "";
}

absl::StatusOr<CallerPolicy> CallerPolicy::FromProto(const v1::CallerPolicy& proto,
                                                     const std::string& field) {
  CallerPolicy policy;
  if (proto.app_ids().empty()) return ConfigError(field + ".app_ids", "at least one is required");
  for (int i = 0; i < proto.app_ids_size(); ++i) {
    const std::string& app_id = proto.app_ids(i);
    if (app_id == "*") {
      policy.all_apps_ = true;
    } else if (app_id.size() == 32 && std::all_of(app_id.begin(), app_id.end(), [](char c) {
                 return absl::ascii_isxdigit(static_cast<unsigned char>(c));
               })) {
      policy.app_ids_.insert(app_id);
    } else {
      return ConfigError(absl::StrCat(field, ".app_ids[", i, "]"),
                         "must be 32 hexadecimal characters or \"*\"");
    }
  }
  for (int i = 0; i < proto.token_kinds_size(); ++i) {
    const std::string kind_field = absl::StrCat(field, ".token_kinds[", i, "]");
    switch (proto.token_kinds(i)) {
      case v1::TOKEN_KIND_RTC_006:
        policy.rtc006_ = true;
        break;
      case v1::TOKEN_KIND_RTC_007:
        policy.rtc007_ = true;
        break;
      case v1::TOKEN_KIND_CHAT:
        // Refused rather than guessed: an app token acts for the whole app.
        return ConfigError(kind_field,
                           "TOKEN_KIND_CHAT was split: grant TOKEN_KIND_CHAT_USER and, only if "
                           "this caller needs app-wide Chat tokens, TOKEN_KIND_CHAT_APP");
      default:
        if (std::optional<TokenKind> kind = KindOfConfig(proto.token_kinds(i))) {
          policy.kinds_[static_cast<size_t>(*kind)] = true;
          break;
        }
        return ConfigError(kind_field,
                           "must be TOKEN_KIND_RTC_006, _RTC_007, _RTM, _CHAT_USER, _CHAT_APP, "
                           "_FPA, _APAAS, _STREAMING, _FCDN, _RTM2, _CONVO_AI or _STT");
    }
  }
  policy.decode_ = proto.allow_decode();
  policy.allow_any_user_ = proto.allow_any_user();
  const bool grants_kind = std::any_of(std::begin(policy.kinds_), std::end(policy.kinds_),
                                       [](bool granted) { return granted; });
  if (!policy.rtc006_ && !policy.rtc007_ && !grants_kind && !policy.decode_) {
    return ConfigError(field, "grants nothing: set token_kinds or allow_decode");
  }
  policy.kinds_[static_cast<size_t>(TokenKind::kRtc)] = policy.rtc006_ || policy.rtc007_;
  if (proto.max_token_lifetime_seconds() == 0 || proto.max_token_lifetime_seconds() > 86400) {
    return ConfigError(field + ".max_token_lifetime_seconds", "must be 1 to 86400");
  }
  policy.max_lifetime_seconds_ = proto.max_token_lifetime_seconds();
  for (int i = 0; i < proto.channel_name_prefixes_size(); ++i) {
    if (proto.channel_name_prefixes(i).empty()) {
      return ConfigError(absl::StrCat(field, ".channel_name_prefixes[", i, "]"),
                         "must not be empty");
    }
    policy.channel_prefixes_.push_back(proto.channel_name_prefixes(i));
  }
  policy.allow_wildcard_channel_ = proto.allow_wildcard_channel();
  if (policy.allow_wildcard_channel_ && !policy.channel_prefixes_.empty()) {
    // "*" opens every channel, which the prefixes exist to prevent.
    return ConfigError(field + ".allow_wildcard_channel",
                       "cannot be combined with channel_name_prefixes");
  }
  if (proto.has_rate_limit()) {
    const v1::RateLimit& limit = proto.rate_limit();
    if (!(limit.tokens_per_second() > 0) || !std::isfinite(limit.tokens_per_second())) {
      return ConfigError(field + ".rate_limit.tokens_per_second", "must be more than 0");
    }
    if (limit.burst() == 0) return ConfigError(field + ".rate_limit.burst", "must be at least 1");
    policy.rate_limit_ = RateLimit{limit.tokens_per_second(), limit.burst()};
  }
  return policy;
}

CallerPolicy CallerPolicy::AllowAll() {
  CallerPolicy policy;
  policy.all_apps_ = true;
  policy.rtc006_ = policy.rtc007_ = policy.decode_ = policy.allow_any_user_ = true;
  policy.allow_wildcard_channel_ = true;
  std::fill(std::begin(policy.kinds_), std::end(policy.kinds_), true);
  policy.max_lifetime_seconds_ = kMaxTokenLifetimeSeconds;
  return policy;
}

absl::Status CallerPolicy::CheckMethod(RpcMethod method) const {
  switch (method) {
    case RpcMethod::kBuildRtcTokenWithUid:
    case RpcMethod::kBuildRtcTokenWithAccount:
      if (Grants(TokenKind::kRtc)) return absl::OkStatus();
      return Denied("token_kinds", "may not mint RTC tokens");
    case RpcMethod::kBuildRtmToken:
      if (Grants(TokenKind::kRtm) || Grants(TokenKind::kRtm2)) return absl::OkStatus();
      return Denied("token_kinds", "may not mint RTM tokens");
    case RpcMethod::kBuildFpaToken:
      if (Grants(TokenKind::kFpa)) return absl::OkStatus();
      return Denied("token_kinds", "may not mint FPA tokens");
    case RpcMethod::kBuildApaasToken:
      if (Grants(TokenKind::kApaas)) return absl::OkStatus();
      return Denied("token_kinds", "may not mint APaaS tokens");
    case RpcMethod::kBuildConvoAiToken:
      if (Grants(TokenKind::kConvoAi)) return absl::OkStatus();
      return Denied("token_kinds", "may not mint ConvoAI tokens");
    case RpcMethod::kBuildSttToken:
      if (Grants(TokenKind::kStt)) return absl::OkStatus();
      return Denied("token_kinds", "may not mint STT tokens");
    case RpcMethod::kBuildChatToken:
      if (Grants(TokenKind::kChatUser) || Grants(TokenKind::kChatApp)) return absl::OkStatus();
      return Denied("token_kinds", "may not mint Chat tokens");
    case RpcMethod::kBuildAccessToken:
    case RpcMethod::kBuildTokens:
      if (std::any_of(std::begin(kinds_), std::end(kinds_), [](bool granted) { return granted; })) {
        return absl::OkStatus();
      }
      return Denied("token_kinds", "may not mint tokens");
    case RpcMethod::kDecodeToken:
      if (decode_) return absl::OkStatus();
      return Denied("allow_decode", "may not decode tokens");
  }
  return Denied("token_kinds", "may not call this method");
}

absl::Status CallerPolicy::CheckToken(const TokenFacts& facts) const {
  if (!all_apps_ &&
      !app_ids_.contains(absl::string_view(facts.app_id.data(), facts.app_id.size()))) {
    return Denied("app_ids", "may not use this app id");
  }
  if (facts.decode) {
    return decode_ ? absl::OkStatus() : Denied("allow_decode", "may not decode tokens");
  }
  for (const GrantFacts& grant : facts.grants) {
    if (absl::Status status = CheckGrant(grant, facts.version); !status.ok()) return status;
  }
  return end_user_ != nullptr ? end_user_->Check(facts) : absl::OkStatus();
}

bool CallerPolicy::subscribes_instead_of_publishing() const {
  return end_user_ != nullptr && !end_user_->may_publish && end_user_->subscriber_instead;
}

absl::Status CallerPolicy::CheckGrant(const GrantFacts& grant,
                                      std::optional<TokenVersion> version) const {
  const bool allowed = grant.kind == TokenKind::kRtc
                           ? (version == TokenVersion::k006 ? rtc006_ : rtc007_)
                           : Grants(grant.kind);
  if (!allowed) {
    return Denied(
        "token_kinds",
        absl::StrCat("may not mint ", std::string(KindName(grant.kind, version)), " tokens"));
  }
  if (grant.any_user && !allow_any_user_) {
    return Denied("allow_any_user",
                  "may not mint tokens for any user (uid 0 or an empty account): name the user, or "
                  "set allow_any_user in the caller's policy");
  }
  if (grant.channel_name.empty()) return absl::OkStatus();
  if (grant.channel_name == kWildcardChannel) {
    if (allow_wildcard_channel_) return absl::OkStatus();
    return Denied(
        "allow_wildcard_channel",
        "may not mint tokens for the wildcard channel \"*\", which opens every channel: set "
        "allow_wildcard_channel in the caller's policy");
  }
  if (channel_prefixes_.empty()) return absl::OkStatus();
  const absl::string_view channel(grant.channel_name.data(), grant.channel_name.size());
  const bool matches =
      std::any_of(channel_prefixes_.begin(), channel_prefixes_.end(),
                  [&](const std::string& prefix) { return absl::StartsWith(channel, prefix); });
  if (matches) return absl::OkStatus();
  return Denied(
      "channel_name_prefixes",
      "may not mint for this channel: every channel a token names must start with one of the "
      "caller's allowed prefixes");
}

absl::Status CallerPolicy::CheckLifetime(const BuiltToken& token) const {
  // A 006 token's own timestamp is always issue + 24 h (the format fixes
  // it) and grants nothing by itself; its privileges' effective expiries,
  // which a stored 0 ties to that timestamp, are what it grants. A 007
  // token's own expiry bounds services without privileges and login spans.
  uint32_t last =
      token.version == TokenVersion::k007 || token.privileges.empty() ? token.expire_ts : 0;
  for (const PrivilegeExpiry& p : token.privileges) last = std::max(last, p.expire_ts);
  const uint32_t lifetime = last > token.issue_ts ? last - token.issue_ts : 0;
  if (lifetime <= max_lifetime_seconds_) return absl::OkStatus();
  return Denied("max_token_lifetime_seconds",
                absl::StrCat("may mint tokens that last at most ", max_lifetime_seconds_,
                             " seconds (max_token_lifetime_seconds); this request asks for ",
                             lifetime, " seconds: shorten its expiry"));
}

absl::StatusOr<std::shared_ptr<const CallerDirectory>> CallerDirectory::FromProto(
    const v1::ServerConfig& config, bool mtls, const std::string& base_dir) {
  auto directory = std::make_shared<CallerDirectory>();
  if (config.callers().empty() && config.trusted_issuers().empty()) {
    return ConfigError("callers", "at least one caller (or trusted issuer) is required");
  }
  if (!config.trusted_issuers().empty()) {
    absl::StatusOr<std::shared_ptr<const TrustedIssuers>> issuers =
        TrustedIssuers::FromProto(config, base_dir);
    if (!issuers.ok()) return issuers.status();
    directory->trusted_issuers_ = *std::move(issuers);
  }
  directory->callers_.reserve(config.callers_size());  // pointers into it stay valid
  absl::flat_hash_set<std::string> names;
  for (int i = 0; i < config.callers_size(); ++i) {
    const v1::Caller& proto = config.callers(i);
    const std::string field = absl::StrCat("callers[", i, "]");
    if (!IsCallerName(proto.name())) {
      return ConfigError(field + ".name", "must be 1 to 128 characters from a-z A-Z 0-9 . _ -");
    }
    if (!names.insert(proto.name()).second) return ConfigError(field + ".name", "listed twice");
    if (!proto.has_policy()) return ConfigError(field + ".policy", "required");
    absl::StatusOr<CallerPolicy> policy =
        CallerPolicy::FromProto(proto.policy(), field + ".policy");
    if (!policy.ok()) return policy.status();
    directory->callers_.push_back(Caller{proto.name(), *std::move(policy)});
    const Caller* caller = &directory->callers_.back();

    if (proto.certificate_identities().empty() && proto.api_key_sha256().empty()) {
      return ConfigError(field, "needs certificate_identities or api_key_sha256");
    }
    if (!proto.certificate_identities().empty() && !mtls) {
      return ConfigError(field + ".certificate_identities", "need tls.client_ca_path (mutual TLS)");
    }
    for (int j = 0; j < proto.certificate_identities_size(); ++j) {
      const std::string& identity = proto.certificate_identities(j);
      const std::string identity_field = absl::StrCat(field, ".certificate_identities[", j, "]");
      if (identity.empty()) return ConfigError(identity_field, "must not be empty");
      if (!directory->identities_.emplace(identity, caller).second) {
        return ConfigError(identity_field, "belongs to another caller too");
      }
    }
    for (int j = 0; j < proto.api_key_sha256_size(); ++j) {
      const std::string& hex = proto.api_key_sha256(j);
      const std::string key_field = absl::StrCat(field, ".api_key_sha256[", j, "]");
      if (hex.size() != 2 * kSha256Size || !IsLowerHex(hex)) {
        return ConfigError(key_field, "must be 64 lowercase hexadecimal characters (a SHA-256)");
      }
      Sha256Digest digest;
      const std::string bytes = absl::HexStringToBytes(hex);
      std::copy(bytes.begin(), bytes.end(), digest.begin());
      for (const auto& [other, owner] : directory->api_keys_) {
        if (other == digest) return ConfigError(key_field, "belongs to another caller too");
      }
      directory->api_keys_.emplace_back(digest, caller);
    }
  }
  return std::shared_ptr<const CallerDirectory>(std::move(directory));
}

std::shared_ptr<const CallerDirectory> CallerDirectory::Open() {
  auto directory = std::make_shared<CallerDirectory>();
  directory->open_ = true;
  directory->callers_.push_back(Caller{"development", CallerPolicy::AllowAll()});
  return directory;
}

std::vector<std::pair<std::string, RateLimit>> CallerDirectory::RateLimitsByEndUserPrefix() const {
  if (trusted_issuers_ == nullptr) return {};
  return trusted_issuers_->RateLimitsByPrefix();
}

std::vector<std::string> CallerDirectory::JwksFiles() const {
  return trusted_issuers_ != nullptr ? trusted_issuers_->jwks_files() : std::vector<std::string>{};
}

std::vector<std::pair<std::string, RateLimit>> CallerDirectory::RateLimitsByCaller() const {
  std::vector<std::pair<std::string, RateLimit>> limits;
  for (const Caller& caller : callers_) {
    if (caller.policy.rate_limit().has_value()) {
      limits.emplace_back(caller.name, *caller.policy.rate_limit());
    }
  }
  return limits;
}

absl::StatusOr<std::shared_ptr<const Caller>> CallerDirectory::Authenticate(
    const CallCredentials& credentials, AuthenticationFailure* failure,
    uint32_t now_unix_seconds) const {
  // Directory callers are not owned by the pointer: the directory outlives
  // the call (the call holds its snapshot).
  auto borrowed = [](const Caller* caller) {
    return std::shared_ptr<const Caller>(std::shared_ptr<const Caller>(), caller);
  };
  if (open_) return borrowed(&callers_.front());
  auto fail = [failure](absl::Status status, std::string reason,
                        std::string presented) -> absl::Status {
    if (failure != nullptr) *failure = AuthenticationFailure{status, reason, presented};
    return status;
  };
  std::string presented;
  if (credentials.certificate.has_value()) {
    const CertificateIdentity& certificate = *credentials.certificate;
    presented = absl::StrCat("certificate:", certificate.fingerprint);
    // An X.509-SVID has exactly one SPIFFE id; a certificate with several is
    // refused, not matched by whichever name comes next.
    if (certificate.spiffe_ids.size() > 1) {
      return fail(absl::UnauthenticatedError("the client certificate is not acceptable"),
                  absl::StrCat("the client certificate has ", certificate.spiffe_ids.size(),
                               " SPIFFE ids (an X.509-SVID has exactly one)"),
                  presented);
    }
    if (const Caller* caller = FindByCertificate(certificate)) return borrowed(caller);
    const std::vector<std::string>& names =
        !certificate.spiffe_ids.empty() ? certificate.spiffe_ids : certificate.dns_names;
    absl::StrAppend(&presented, " ",
                    names.empty() ? certificate.common_name : absl::StrJoin(names, ","));
  }
  if (credentials.authorization.has_value()) {
    const std::string_view value = *credentials.authorization;
    if (value.substr(0, kBearer.size()) != kBearer) {
      return fail(absl::UnauthenticatedError("the API key is not valid"),
                  "the authorization value is not `Bearer <key>`", presented);
    }
    const std::string_view key = value.substr(kBearer.size());
    if (trusted_issuers_ != nullptr && LooksLikeJwt(key)) {
      absl::StatusOr<Caller> end_user = trusted_issuers_->Authenticate(key, now_unix_seconds);
      if (end_user.ok()) return std::make_shared<const Caller>(*std::move(end_user));
      // The same answer for every refused JWT; the reason goes to the log.
      return fail(absl::UnauthenticatedError("the bearer token is not valid"),
                  std::string(end_user.status().message()),
                  absl::StrCat("jwt_sha256:", Fingerprint(key)));
    }
    if (const Caller* caller = FindByApiKey(key)) return borrowed(caller);
    return fail(absl::UnauthenticatedError("the API key is not valid"), "unknown API key",
                absl::StrCat("api_key_sha256:", Fingerprint(key)));
  }
  return fail(absl::UnauthenticatedError(
                  "no known caller: present a client certificate this server knows or an "
                  "`authorization: Bearer <API key>` header"),
              credentials.certificate.has_value() ? "unknown client certificate" : "no credentials",
              presented);
}

const Caller* CallerDirectory::FindByApiKey(std::string_view api_key) const {
  const Sha256Digest digest = Sha256(api_key);
  const Caller* found = nullptr;
  for (const auto& [hash, caller] : api_keys_) {
    // No early exit: the time taken does not depend on which key matched.
    const bool equal = ConstantTimeEquals(AsStringView(hash), AsStringView(digest));
    found = equal ? caller : found;
  }
  return found;
}

const Caller* CallerDirectory::FindByCertificate(const CertificateIdentity& identity) const {
  auto find = [this](const std::string& name) -> const Caller* {
    auto it = identities_.find(name);
    return it == identities_.end() ? nullptr : it->second;
  };
  if (!identity.spiffe_ids.empty()) {
    for (const std::string& id : identity.spiffe_ids) {
      if (const Caller* caller = find(id)) return caller;
    }
    return nullptr;
  }
  if (!identity.dns_names.empty()) {
    for (const std::string& name : identity.dns_names) {
      if (const Caller* caller = find(name)) return caller;
    }
    return nullptr;
  }
  return identity.common_name.empty() ? nullptr : find(identity.common_name);
}

}  // namespace agora_token
