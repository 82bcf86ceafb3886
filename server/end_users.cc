#include "server/end_users.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agora/token/v1/token_service.pb.h"
#include "core/input_rules.h"
#include "server/text_proto_file.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

constexpr uint32_t kMaxLeewaySeconds = 300;
constexpr uint32_t kDefaultJwksRefreshSeconds = 3600;
constexpr uint32_t kMaxJwksRefreshSeconds = 86400;
constexpr std::string_view kClaimOpen = "{claim:";

absl::Status ClaimRefused(const std::string& claim, std::string_view what) {
  return absl::UnauthenticatedError(
      absl::StrCat("the JWT's claim ", claim, " ", std::string(what)));
}

// Checks a template's `{claim:NAME}` placeholders: each closed, each NAME
// not empty.
absl::Status CheckTemplate(std::string_view text) {
  for (size_t at = text.find('{'); at != std::string_view::npos; at = text.find('{', at)) {
    const size_t close = text.find('}', at);
    if (text.substr(at, kClaimOpen.size()) != kClaimOpen || close == std::string_view::npos ||
        close == at + kClaimOpen.size()) {
      return absl::InvalidArgumentError("placeholders are {claim:NAME}");
    }
    at = close;
  }
  return absl::OkStatus();
}

// A claim as template text: a string, or an integer in decimal.
std::optional<std::string> ClaimText(const nlohmann::json& claims, const std::string& name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  return std::nullopt;
}

// The template with each placeholder filled; nullopt when a claim is missing
// or of another type, so such a template allows no channel at all.
std::optional<std::string> Render(std::string_view text, const nlohmann::json& claims) {
  std::string out;
  size_t from = 0;
  for (size_t at = text.find(kClaimOpen); at != std::string_view::npos;
       at = text.find(kClaimOpen, from)) {
    const size_t close = text.find('}', at);
    std::optional<std::string> value = ClaimText(
        claims, std::string(text.substr(at + kClaimOpen.size(), close - at - kClaimOpen.size())));
    if (!value.has_value() || value->empty()) return std::nullopt;
    absl::StrAppend(&out, std::string(text.substr(from, at - from)), *value);
    from = close + 1;
  }
  absl::StrAppend(&out, std::string(text.substr(from)));
  return out;
}

bool IsEndUserKind(int kind) {
  return kind == v1::TOKEN_KIND_RTC_006 || kind == v1::TOKEN_KIND_RTC_007 ||
         kind == v1::TOKEN_KIND_RTM;
}

std::vector<JwtAlgorithm> AlgorithmsOf(const v1::TrustedIssuer& proto) {
  if (proto.algorithms().empty()) return {JwtAlgorithm::kRs256, JwtAlgorithm::kEs256};
  std::vector<JwtAlgorithm> algorithms;
  for (int algorithm : proto.algorithms()) {
    switch (algorithm) {
      case v1::JWT_ALGORITHM_RS256:
        algorithms.push_back(JwtAlgorithm::kRs256);
        break;
      case v1::JWT_ALGORITHM_ES256:
        algorithms.push_back(JwtAlgorithm::kEs256);
        break;
      case v1::JWT_ALGORITHM_EDDSA:
        algorithms.push_back(JwtAlgorithm::kEdDsa);
        break;
      default:
        return {};
    }
  }
  return algorithms;
}

// End users' caller names start with this: their rate-limit buckets' keys.
std::string CallerPrefix(const std::string& issuer) { return absl::StrCat("jwt:", issuer, "#"); }

}  // namespace

std::string EndUserBinding::RtmUserId() const {
  return uid.has_value() ? std::to_string(*uid) : account;
}

absl::Status EndUserBinding::Check(const TokenFacts& facts) const {
  const std::string rtm_user = RtmUserId();
  auto same_user = [&]() {
    switch (facts.kind) {
      case TokenKind::kRtc:
        return uid.has_value() ? facts.uid == uid
                               : !facts.uid.has_value() && facts.account == account;
      case TokenKind::kRtm:
        return facts.account == rtm_user;
      default:
        return false;
    }
  };
  if (!same_user()) {
    return PolicyDenied("end_user.identity",
                        "may mint only for its own user: the uid or account its sign-in token "
                        "names");
  }
  if (!facts.rtm_user_id.empty() && facts.rtm_user_id != rtm_user) {
    return PolicyDenied("end_user.identity",
                        "may mint RTM only for its own user id: the one its sign-in token names");
  }
  for (const GrantFacts& grant : facts.grants) {
    if (grant.kind == TokenKind::kRtc && facts.role != v1::ROLE_SUBSCRIBER && !may_publish) {
      return PolicyDenied("end_user.publisher_claim",
                          "may not publish: its sign-in token does not grant it; ask for "
                          "ROLE_SUBSCRIBER");
    }
    if (grant.channel_name.empty()) continue;
    const absl::string_view channel(grant.channel_name.data(), grant.channel_name.size());
    const bool allowed =
        grant.channel_name != kWildcardChannel &&
        (std::find(channels.begin(), channels.end(), channel) != channels.end() ||
         std::any_of(channel_prefixes.begin(), channel_prefixes.end(),
                     [&](const std::string& prefix) { return absl::StartsWith(channel, prefix); }));
    if (!allowed) {
      return PolicyDenied("end_user.channels",
                          "may not mint for this channel: it is not one its sign-in token allows");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<EndUserTemplate> EndUserTemplate::FromProto(const v1::EndUserPolicy& proto,
                                                           const std::string& field) {
  v1::CallerPolicy base;
  *base.mutable_app_ids() = proto.app_ids();
  if (proto.token_kinds().empty())
    return ConfigError(field + ".token_kinds", "at least one is required");
  for (int i = 0; i < proto.token_kinds_size(); ++i) {
    // Other kinds act beyond one user (apps, rooms, agents) or name users
    // the binding cannot check.
    if (!IsEndUserKind(proto.token_kinds(i))) {
      return ConfigError(absl::StrCat(field, ".token_kinds[", i, "]"),
                         "end users may mint TOKEN_KIND_RTC_006, _RTC_007 and _RTM only");
    }
  }
  *base.mutable_token_kinds() = proto.token_kinds();
  base.set_max_token_lifetime_seconds(proto.max_token_lifetime_seconds());
  if (proto.has_rate_limit()) *base.mutable_rate_limit() = proto.rate_limit();
  absl::StatusOr<CallerPolicy> policy = CallerPolicy::FromProto(base, field);
  if (!policy.ok()) return policy.status();

  EndUserTemplate compiled;
  compiled.base_ = *std::move(policy);
  switch (proto.identity_case()) {
    case v1::EndUserPolicy::kUidClaim:
      compiled.uid_claim_ = proto.uid_claim();
      break;
    case v1::EndUserPolicy::kAccountClaim:
      compiled.account_claim_ = proto.account_claim();
      break;
    default:
      break;
  }
  if (compiled.uid_claim_.empty() && compiled.account_claim_.empty()) {
    return ConfigError(field, "needs uid_claim or account_claim (not empty)");
  }
  compiled.channels_claim_ = proto.channels_claim();
  for (int i = 0; i < proto.channel_templates_size(); ++i) {
    if (absl::Status status = CheckTemplate(proto.channel_templates(i)); !status.ok()) {
      return ConfigError(absl::StrCat(field, ".channel_templates[", i, "]"),
                         std::string(status.message()));
    }
    compiled.channel_templates_.push_back(proto.channel_templates(i));
  }
  for (int i = 0; i < proto.channel_name_prefixes_size(); ++i) {
    if (proto.channel_name_prefixes(i).empty() || proto.channel_name_prefixes(i) == "*") {
      return ConfigError(absl::StrCat(field, ".channel_name_prefixes[", i, "]"),
                         "must not be empty or \"*\"");
    }
    compiled.channel_prefixes_.push_back(proto.channel_name_prefixes(i));
  }
  if (compiled.channels_claim_.empty() && compiled.channel_templates_.empty() &&
      compiled.channel_prefixes_.empty()) {
    return ConfigError(field,
                       "allows no channel: set channels_claim, channel_templates or "
                       "channel_name_prefixes");
  }
  compiled.publisher_claim_ = proto.publisher_claim();
  compiled.subscriber_instead_ = proto.subscriber_without_publisher_claim();
  return compiled;
}

absl::StatusOr<Caller> EndUserTemplate::CallerFor(const VerifiedJwt& jwt) const {
  const nlohmann::json& claims = jwt.claims();
  auto binding = std::make_shared<EndUserBinding>();
  if (!uid_claim_.empty()) {
    auto it = claims.find(uid_claim_);
    if (it == claims.end()) return ClaimRefused(uid_claim_, "(the uid) is missing");
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > UINT32_MAX) {
      return ClaimRefused(uid_claim_, "(the uid) is not an integer from 1 to 4294967295");
    }
    binding->uid = static_cast<uint32_t>(it->get<int64_t>());
  } else {
    auto it = claims.find(account_claim_);
    if (it == claims.end()) return ClaimRefused(account_claim_, "(the account) is missing");
    if (!it->is_string() || it->get_ref<const std::string&>().empty() ||
        it->get_ref<const std::string&>().size() > kMaxAccountBytes) {
      return ClaimRefused(account_claim_, "(the account) is not a string of 1 to 255 bytes");
    }
    binding->account = it->get<std::string>();
  }
  if (!channels_claim_.empty()) {
    if (auto it = claims.find(channels_claim_); it != claims.end()) {
      if (!it->is_array()) return ClaimRefused(channels_claim_, "is not an array of strings");
      for (const nlohmann::json& channel : *it) {
        if (!channel.is_string())
          return ClaimRefused(channels_claim_, "is not an array of strings");
        binding->channels.push_back(channel.get<std::string>());
      }
    }
  }
  for (const std::string& text : channel_templates_) {
    if (std::optional<std::string> channel = Render(text, claims)) {
      binding->channels.push_back(*std::move(channel));
    }
  }
  binding->channel_prefixes = channel_prefixes_;
  if (!publisher_claim_.empty()) {
    auto it = claims.find(publisher_claim_);
    binding->may_publish = it != claims.end() && it->is_boolean() && it->get<bool>();
  }
  binding->subscriber_instead = subscriber_instead_;
  Caller caller{absl::StrCat(CallerPrefix(jwt.issuer().issuer), jwt.subject()), base_};
  caller.policy.end_user_ = std::move(binding);
  return caller;
}

absl::StatusOr<std::shared_ptr<const TrustedIssuers>> TrustedIssuers::FromProto(
    const v1::ServerConfig& config, const std::string& base_dir) {
  auto issuers = std::make_shared<TrustedIssuers>();
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < config.trusted_issuers_size(); ++i) {
    const v1::TrustedIssuer& proto = config.trusted_issuers(i);
    const std::string field = absl::StrCat("trusted_issuers[", i, "]");
    JwtIssuer issuer;
    if (proto.issuer().empty()) return ConfigError(field + ".issuer", "required");
    if (!seen.insert(proto.issuer()).second) return ConfigError(field + ".issuer", "listed twice");
    issuer.issuer = proto.issuer();
    if (proto.audiences().empty())
      return ConfigError(field + ".audiences", "at least one is required");
    for (const std::string& audience : proto.audiences()) {
      if (audience.empty()) return ConfigError(field + ".audiences", "must not be empty");
      issuer.audiences.push_back(audience);
    }
    issuer.algorithms = AlgorithmsOf(proto);
    if (issuer.algorithms.empty()) {
      return ConfigError(field + ".algorithms",
                         "must be JWT_ALGORITHM_RS256, JWT_ALGORITHM_ES256 or JWT_ALGORITHM_EDDSA");
    }
    if (proto.clock_leeway_seconds() > kMaxLeewaySeconds) {
      return ConfigError(field + ".clock_leeway_seconds", "must be 0 to 300");
    }
    issuer.leeway_seconds = proto.clock_leeway_seconds();
    if (proto.jwks_path().empty() == proto.jwks_uri().empty()) {
      return ConfigError(field + ".jwks_path", "exactly one of jwks_path and jwks_uri is required");
    }
    if (!proto.jwks_uri().empty()) {
      if (absl::Status url = CheckJwksUrl(proto.jwks_uri()); !url.ok()) {
        return ConfigError(field + ".jwks_uri", std::string(url.message()));
      }
      if (proto.jwks_refresh_seconds() > kMaxJwksRefreshSeconds) {
        return ConfigError(field + ".jwks_refresh_seconds", "must be 0 (3600) to 86400");
      }
      issuer.fetcher = JwksFetcher::ForUrl(
          proto.jwks_uri(),
          std::chrono::seconds(proto.jwks_refresh_seconds() != 0 ? proto.jwks_refresh_seconds()
                                                                 : kDefaultJwksRefreshSeconds));
    } else {
      const std::string path = ResolvePath(base_dir, proto.jwks_path());
      absl::StatusOr<std::string> json = ReadWholeFile(path);
      if (!json.ok()) return ConfigError(field + ".jwks_path", absl::StrCat("cannot read ", path));
      absl::StatusOr<std::shared_ptr<const Jwks>> jwks = Jwks::Parse(*json);
      if (!jwks.ok()) {
        return ConfigError(field + ".jwks_path", absl::StrCat(path, ": ", jwks.status().message()));
      }
      issuer.jwks = *std::move(jwks);
      issuers->jwks_files_.push_back(path);
    }
    if (!proto.has_end_user_policy()) return ConfigError(field + ".end_user_policy", "required");
    absl::StatusOr<EndUserTemplate> policy =
        EndUserTemplate::FromProto(proto.end_user_policy(), field + ".end_user_policy");
    if (!policy.ok()) return policy.status();
    issuers->issuers_.push_back(std::move(issuer));
    issuers->templates_.push_back(*std::move(policy));
  }
  return std::shared_ptr<const TrustedIssuers>(std::move(issuers));
}

std::vector<std::pair<std::string, RateLimit>> TrustedIssuers::RateLimitsByPrefix() const {
  std::vector<std::pair<std::string, RateLimit>> limits;
  for (size_t i = 0; i < issuers_.size(); ++i) {
    if (const std::optional<RateLimit>& limit = templates_[i].rate_limit()) {
      limits.emplace_back(CallerPrefix(issuers_[i].issuer), *limit);
    }
  }
  return limits;
}

absl::StatusOr<Caller> TrustedIssuers::Authenticate(std::string_view jwt,
                                                    uint32_t now_unix_seconds) const {
  absl::StatusOr<VerifiedJwt> verified = VerifyJwt(jwt, issuers_, now_unix_seconds);
  if (!verified.ok()) return verified.status();
  const size_t index = static_cast<size_t>(&verified->issuer() - issuers_.data());
  return templates_[index].CallerFor(*verified);
}

}  // namespace agora_token
