// Generates random valid inputs, builds a token for each with the core
// library (every 006 and 007 builder, and the general AccessToken2 builder
// with random lists of all ten service types), and writes one JSON line per
// token (inputs, certificate, issuance
// and token) for verify_with_agora_token.js, which checks every token against
// Agora's official npm builders. The inputs cycle through a fixed list of
// shapes (every token kind, role, user form and compression mode) so each
// run covers all of them; everything else is drawn from a seeded generator
// whose seed is printed, so a failing run can be replayed with --seed.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/access_token2.h"
#include "core/service_builders.h"
#include "core/token.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::optional<uint64_t>, seed, std::nullopt,
          "Seed of the input generator; drawn from the clock when unset.");
ABSL_FLAG(int, count, 530, "Number of tokens to generate (at least one per shape).");
ABSL_FLAG(std::string, out, "", "Output file for the JSON lines; stdout when empty.");

namespace {

using agora_token::Compression;
using agora_token::RtcRole;

constexpr uint32_t kUint32Max = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kDay = agora_token::kMaxTokenLifetimeSeconds;

// The 89 characters the product document allows in channel names and
// accounts, written out here rather than taken from the core so the test
// does not inherit a mistake in the code under test.
constexpr char kNameAlphabet[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    " !#$%&()+-:;<=.>?@[]^_{}|~,";
static_assert(sizeof(kNameAlphabet) - 1 == 89, "the seed document lists 89 characters");
constexpr size_t kMaxChannelNameLength = 64;  // the seed document's limits
constexpr size_t kMaxAccountLength = 255;
constexpr size_t kMaxUserIdLength = 64;  // RTM, RTM2, Chat user ids
constexpr size_t kMaxUuidBytes = 255;    // APaaS user uuids (UTF-8)

// Draws from std::mt19937_64, whose output the standard fixes, with our own
// range reduction: std::uniform_int_distribution differs between standard
// libraries, which would make a seed replay differently elsewhere.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, bound); bound > 0. Rejection removes the modulo bias.
  uint64_t Below(uint64_t bound) {
    const uint64_t threshold = (0 - bound) % bound;
    for (;;) {
      const uint64_t r = engine_();
      if (r >= threshold) return r % bound;
    }
  }
  // Uniform in [low, high].
  uint64_t Between(uint64_t low, uint64_t high) {
    if (high - low == std::numeric_limits<uint64_t>::max()) return engine_();
    return low + Below(high - low + 1);
  }
  uint32_t Uint32() { return static_cast<uint32_t>(engine_()); }
  bool OneIn(uint64_t n) { return Below(n) == 0; }

 private:
  std::mt19937_64 engine_;
};

std::string RandomHex32(Random& random) {
  static constexpr char kHexDigits[] = "0123456789abcdefABCDEF";  // both cases
  std::string out;
  for (int i = 0; i < 32; ++i) out += kHexDigits[random.Below(sizeof(kHexDigits) - 1)];
  return out;
}

// A name of 1..max_length characters; the extremes get extra weight because
// a uniform length would rarely hit them.
std::string RandomName(Random& random, size_t max_length) {
  size_t length;
  switch (random.Below(10)) {
    case 0:
      length = 1;
      break;
    case 1:
      length = max_length;
      break;
    default:
      length = random.Between(1, max_length);
  }
  std::string out;
  for (size_t i = 0; i < length; ++i) out += kNameAlphabet[random.Below(sizeof(kNameAlphabet) - 1)];
  return out;
}

// Any uint32 uid, with the wildcard 0 and the maximum drawn often.
uint32_t RandomUid(Random& random) {
  switch (random.Below(10)) {
    case 0:
      return 0;
    case 1:
      return kUint32Max;
    case 2:
      return static_cast<uint32_t>(random.Between(1, 1000));
    default:
      return random.Uint32();
  }
}

// A 007 expiry in seconds after issue: 0, exactly 24 h, beyond 24 h (which
// the core stores as 24 h) or anything below.
uint32_t RandomTokenExpire(Random& random) {
  switch (random.Below(8)) {
    case 0:
      return 0;
    case 1:
      return kDay;
    case 2:
      return static_cast<uint32_t>(random.Between(kDay + 1, kUint32Max));
    default:
      return static_cast<uint32_t>(random.Between(1, kDay - 1));
  }
}

// A 007 privilege expiry: 0 (as long as the token), within the token, or any
// value (stored as given and capped by the token).
uint32_t RandomPrivilegeExpire(Random& random) {
  switch (random.Below(4)) {
    case 0:
      return 0;
    case 1:
      return random.Uint32();
    default:
      return static_cast<uint32_t>(random.Between(1, kDay));
  }
}

// A 006 absolute privilege expiry: 0, soon after the issue time, or any later
// time. The core rejects one at or before the issue time (it grants nothing).
uint32_t RandomPrivilegeExpiredTs(Random& random, uint32_t issue_ts) {
  switch (random.Below(4)) {
    case 0:
      return 0;
    case 1:
      return static_cast<uint32_t>(random.Between(uint64_t{issue_ts} + 1, kUint32Max));
    default: {
      const uint64_t ts = uint64_t{issue_ts} + random.Between(1, 2 * uint64_t{kDay});
      return ts > kUint32Max ? kUint32Max : static_cast<uint32_t>(ts);
    }
  }
}

// A 007 RTC channel for a user who is signed as `account`: now and then the
// wildcard "*", which needs a user.
std::string RandomRtcChannel(Random& random, const std::string& account) {
  if (!account.empty() && random.OneIn(8)) return "*";
  return RandomName(random, kMaxChannelNameLength);
}

// Valid UTF-8 without NUL, up to `max_bytes`: ASCII (including characters
// names may not use) mixed with two-, three- and four-byte characters.
std::string RandomUuid(Random& random, size_t max_bytes) {
  static const char* const kPieces[] = {
      "a", "Z", "7", "-", "/", "*", "\"", " ", "\xC3\xAB", "\xE5\xAD\xA6", "\xF0\x9F\x98\x80"};
  const size_t target = random.OneIn(10) ? max_bytes : random.Between(1, max_bytes);
  std::string out;
  for (;;) {
    const std::string piece = kPieces[random.Below(sizeof(kPieces) / sizeof(kPieces[0]))];
    if (out.size() + piece.size() > target) break;
    out += piece;
  }
  return out.empty() ? "u" : out;
}

// An APaaS role: the references' "none" (-1), 0 (which Node mangles), the
// i16 maximum, or anything between.
int32_t RandomApaasRole(Random& random) {
  switch (random.Below(5)) {
    case 0:
      return -1;
    case 1:
      return 0;
    case 2:
      return 32767;
    default:
      return static_cast<int32_t>(random.Between(1, 32767));
  }
}

template <typename T>
void Shuffle(Random& random, std::vector<T>& items) {
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[random.Below(i)]);
}

// RTM2 permissions with resource and permission types in random order and
// at most `max_names` names in all.
std::vector<agora_token::Rtm2Resource> RandomRtm2Resources(Random& random, size_t max_names,
                                                           size_t max_name_length) {
  std::vector<agora_token::Rtm2Resource> resources;
  size_t names_left = max_names;
  for (uint16_t type = 0; type <= 4 && names_left > 0; ++type) {
    if (random.OneIn(2)) continue;
    agora_token::Rtm2Resource resource{type, {}};
    for (uint16_t permission = 0; permission <= 1 && names_left > 0; ++permission) {
      if (!resource.permissions.empty() && random.OneIn(2)) continue;
      const size_t count = random.Between(1, std::min<size_t>(names_left, 8));
      names_left -= count;
      agora_token::Rtm2Permission p{permission, {}};
      for (size_t i = 0; i < count; ++i) {
        p.names.push_back(RandomName(
            random, type == 4 ? std::min(max_name_length, kMaxUserIdLength) : max_name_length));
      }
      resource.permissions.push_back(std::move(p));
    }
    resources.push_back(std::move(resource));
  }
  Shuffle(random, resources);
  for (agora_token::Rtm2Resource& r : resources) Shuffle(random, r.permissions);
  return resources;
}

nlohmann::json Rtm2ResourcesJson(const std::vector<agora_token::Rtm2Resource>& resources) {
  nlohmann::json out = nlohmann::json::array();
  for (const agora_token::Rtm2Resource& r : resources) {
    nlohmann::json permissions = nlohmann::json::array();
    for (const agora_token::Rtm2Permission& p : r.permissions) {
      permissions.push_back({{"permission_type", p.permission_type}, {"names", p.names}});
    }
    out.push_back({{"resource_type", r.resource_type}, {"permissions", permissions}});
  }
  return out;
}

// The account string of a random RTC, Streaming or FCDN user: "" (uid 0), a
// decimal uid or an account.
std::string RandomAccountString(Random& random, size_t max_length) {
  switch (random.Below(3)) {
    case 0:
      return "";
    case 1:
      return std::to_string(random.Between(1, kUint32Max));
    default:
      return RandomName(random, max_length);
  }
}

// A random privilege set of ids 1..max (possibly empty), in random order.
std::vector<agora_token::PrivilegeValue> RandomPrivileges(Random& random, uint16_t max) {
  std::vector<agora_token::PrivilegeValue> out;
  for (uint16_t id = 1; id <= max; ++id) {
    if (random.Below(4) != 0) out.push_back({id, RandomPrivilegeExpire(random)});
  }
  Shuffle(random, out);
  return out;
}

// One valid grant of `type`; `max_length` bounds its names so that 16 of
// them stay under the decoder's token length.
agora_token::ServiceGrant RandomGrant(Random& random, uint16_t type, size_t max_length) {
  agora_token::ServiceGrant g;
  g.type = type;
  const size_t channel_length = std::min(max_length, kMaxChannelNameLength);
  const size_t user_id_length = std::min(max_length, kMaxUserIdLength);
  switch (type) {
    case agora_token::kServiceRtc:
      g.privileges = RandomPrivileges(random, 4);
      g.account = RandomAccountString(random, max_length);
      g.channel_name =
          !g.account.empty() && random.OneIn(8) ? "*" : RandomName(random, channel_length);
      break;
    case agora_token::kServiceStreaming:
    case agora_token::kServiceFcdn:
      g.privileges = RandomPrivileges(random, 2);
      g.account = RandomAccountString(random, max_length);
      g.channel_name = RandomName(random, channel_length);
      break;
    case agora_token::kServiceRtm:
      g.privileges = RandomPrivileges(random, 1);
      g.user_id = RandomName(random, user_id_length);
      break;
    case agora_token::kServiceChat:
      g.privileges = RandomPrivileges(random, 2);
      if (!random.OneIn(3)) g.user_id = RandomName(random, user_id_length);
      break;
    case agora_token::kServiceFpa:
      g.privileges = RandomPrivileges(random, 1);
      break;
    case agora_token::kServiceApaas:
      g.privileges = RandomPrivileges(random, 3);
      if (!random.OneIn(3)) g.room_uuid = RandomName(random, channel_length);
      if (!random.OneIn(3)) g.user_uuid = RandomUuid(random, std::min(max_length, kMaxUuidBytes));
      if (!random.OneIn(3)) g.role = RandomApaasRole(random);
      break;
    case agora_token::kServiceRtm2:
      g.privileges = RandomPrivileges(random, 1);
      g.user_id = RandomName(random, user_id_length);
      g.rtm2_resources = RandomRtm2Resources(random, max_length < 64 ? 4 : 16, channel_length);
      break;
    default:  // ConvoAI, STT: nothing but the type
      break;
  }
  return g;
}

nlohmann::json GrantJson(const agora_token::ServiceGrant& g) {
  nlohmann::json privileges = nlohmann::json::array();
  for (const agora_token::PrivilegeValue& p : g.privileges) {
    privileges.push_back({p.privilege, p.value});
  }
  nlohmann::json out = {{"type", g.type},
                        {"privileges", privileges},
                        {"channel_name", g.channel_name},
                        {"account", g.account},
                        {"user_id", g.user_id},
                        {"room_uuid", g.room_uuid},
                        {"user_uuid", g.user_uuid},
                        {"rtm2_resources", Rtm2ResourcesJson(g.rtm2_resources)}};
  if (g.role.has_value()) out["role"] = *g.role;
  return out;
}

enum class Kind {
  kRtc006,
  kRtm006,
  kRtc007,
  kRtm007,
  kChat007,
  kFpa007,
  kApaas007,
  kRtm2007,
  kRtcRtm2007,  // buildTokenWithRtm2, ConvoAI and STT (Shape::extra_service)
  kAccessToken2007,
};
enum class UserForm { kUid, kAccount };

// One combination of kind and options every run must cover.
struct Shape {
  std::string name;
  Kind kind = Kind::kRtc006;
  UserForm user_form = UserForm::kUid;
  std::optional<RtcRole> role;  // unset: drawn per token (publisher or subscriber)
  bool per_privilege = false;
  bool with_rtm = false;
  bool chat_app = false;
  agora_token::ApaasTokenKind apaas_kind = agora_token::ApaasTokenKind::kRoomUser;
  uint16_t extra_service = 0;  // kRtcRtm2007: 0, ConvoAI or STT
  Compression compression = Compression::kCompatible;
};

Shape MakeShape(std::string name, Kind kind, UserForm user_form) {
  Shape shape;
  shape.name = std::move(name);
  shape.kind = kind;
  shape.user_form = user_form;
  return shape;
}

std::vector<Shape> AllShapes() {
  std::vector<Shape> shapes;
  const std::pair<RtcRole, const char*> roles006[] = {{RtcRole::kPublisher, "publisher"},
                                                      {RtcRole::kSubscriber, "subscriber"},
                                                      {RtcRole::kAttendee, "attendee"},
                                                      {RtcRole::kAdmin, "admin"}};
  for (UserForm form : {UserForm::kUid, UserForm::kAccount}) {
    const char* form_name = form == UserForm::kUid ? "uid" : "account";
    for (const auto& [role, role_name] : roles006) {
      Shape shape =
          MakeShape(absl::StrCat("rtc006_", form_name, "_", role_name), Kind::kRtc006, form);
      shape.role = role;
      shapes.push_back(shape);
    }
  }
  shapes.push_back(MakeShape("rtm006", Kind::kRtm006, UserForm::kAccount));

  for (Compression compression : {Compression::kCompatible, Compression::kFast}) {
    const char* mode = compression == Compression::kCompatible ? "compatible" : "fast";
    auto add = [&](std::string name, Kind kind, UserForm form, auto&& configure) {
      Shape shape = MakeShape(absl::StrCat(name, "_", mode), kind, form);
      shape.compression = compression;
      configure(shape);
      shapes.push_back(shape);
    };
    auto none = [](Shape&) {};
    for (UserForm form : {UserForm::kUid, UserForm::kAccount}) {
      const std::string prefix = form == UserForm::kUid ? "rtc007_uid" : "rtc007_account";
      add(prefix + "_publisher", Kind::kRtc007, form,
          [](Shape& s) { s.role = RtcRole::kPublisher; });
      add(prefix + "_subscriber", Kind::kRtc007, form,
          [](Shape& s) { s.role = RtcRole::kSubscriber; });
      add(prefix + "_per_privilege", Kind::kRtc007, form, [](Shape& s) { s.per_privilege = true; });
      add(prefix + "_with_rtm", Kind::kRtc007, form, [](Shape& s) { s.with_rtm = true; });
    }
    add("rtc007_account_per_privilege_with_rtm", Kind::kRtc007, UserForm::kAccount, [](Shape& s) {
      s.per_privilege = true;
      s.with_rtm = true;
    });
    add("rtm007", Kind::kRtm007, UserForm::kAccount, none);
    add("chat007_user", Kind::kChat007, UserForm::kAccount, none);
    add("chat007_app", Kind::kChat007, UserForm::kAccount, [](Shape& s) { s.chat_app = true; });
    add("fpa007", Kind::kFpa007, UserForm::kAccount, none);
    for (const auto& [kind, name] :
         {std::pair{agora_token::ApaasTokenKind::kRoomUser, "apaas007_room_user"},
          std::pair{agora_token::ApaasTokenKind::kUser, "apaas007_user"},
          std::pair{agora_token::ApaasTokenKind::kApp, "apaas007_app"}}) {
      add(name, Kind::kApaas007, UserForm::kAccount,
          [kind = kind](Shape& s) { s.apaas_kind = kind; });
    }
    add("rtm2_007", Kind::kRtm2007, UserForm::kAccount, none);
    for (const auto& [extra, name] :
         {std::pair{uint16_t{0}, "rtc007_rtm2"},
          std::pair{uint16_t{agora_token::kServiceConvoAi}, "convoai007"},
          std::pair{uint16_t{agora_token::kServiceStt}, "stt007"}}) {
      for (UserForm form : {UserForm::kUid, UserForm::kAccount}) {
        add(absl::StrCat(name, form == UserForm::kUid ? "_uid" : "_account"), Kind::kRtcRtm2007,
            form, [extra = extra](Shape& s) { s.extra_service = extra; });
      }
    }
    add("access_token2_007", Kind::kAccessToken2007, UserForm::kAccount, none);
  }
  return shapes;
}

// buildTokenWithRtm2, or the ConvoAI or STT builder with the same inputs.
template <typename App>
absl::StatusOr<agora_token::BuiltToken> BuildRtcWithRtm(uint16_t extra_service, const App& app,
                                                        const agora_token::RtcWithRtmParams& params,
                                                        const agora_token::Issuance& at,
                                                        Compression compression) {
  if (extra_service == agora_token::kServiceConvoAi) {
    return agora_token::BuildConvoAiToken(app, params, at, compression);
  }
  if (extra_service == agora_token::kServiceStt) {
    return agora_token::BuildSttToken(app, params, at, compression);
  }
  return agora_token::BuildRtcTokenWithRtm2(app, params, at, compression);
}

const char* CompressionName(Compression compression) {
  return compression == Compression::kCompatible ? "compatible" : "fast";
}

// Draws the inputs of one token of `shape`, builds it with the core and
// returns its JSON line, or the core's error.
absl::StatusOr<nlohmann::json> GenerateCase(const Shape& shape, bool fresh_issuance, Random& random,
                                            const agora_token::Clock& clock) {
  nlohmann::json line;
  line["shape"] = shape.name;

  const agora_token::AppCredentials credentials{RandomHex32(random), RandomHex32(random)};
  line["app_id"] = credentials.app_id;
  line["app_certificate"] = credentials.app_certificate;
  // Half the tokens go through a prepared AppKey, half through the overloads
  // taking AppCredentials; both must produce the official tokens.
  absl::StatusOr<agora_token::AppKey> app = agora_token::AppKey::New(credentials);
  if (!app.ok()) return app.status();
  const bool use_app_key = random.OneIn(2);
  line["via"] = use_app_key ? "app_key" : "credentials";

  agora_token::Issuance issuance;
  if (fresh_issuance) {
    issuance = agora_token::NewIssuance(clock);
  } else {
    // Any second that leaves room for the 006 token's own 24 h.
    issuance.issue_ts = static_cast<uint32_t>(random.Between(1, kUint32Max - kDay));
    issuance.salt = static_cast<uint32_t>(random.Between(1, kUint32Max));
  }
  line["issuance"] = fresh_issuance ? "new" : "fixed";
  line["issue_ts"] = issuance.issue_ts;
  line["salt"] = issuance.salt;

  std::string channel_name;
  agora_token::RtcUser user;
  if (shape.kind == Kind::kRtc006 || shape.kind == Kind::kRtc007 ||
      shape.kind == Kind::kRtcRtm2007) {
    if (shape.user_form == UserForm::kUid) {
      uint32_t uid = RandomUid(random);
      // RTM login needs a user, so the core rejects uid 0 with RTM.
      while (shape.with_rtm && uid == 0) uid = RandomUid(random);
      user = uid;
      line["uid"] = uid;
    } else {
      std::string account = RandomName(random, kMaxAccountLength);
      line["account"] = account;
      user = std::move(account);
    }
    // 006 never takes the wildcard channel.
    channel_name = shape.kind == Kind::kRtc006
                       ? RandomName(random, kMaxChannelNameLength)
                       : RandomRtcChannel(random, agora_token::UserAccountString(user));
    line["channel_name"] = channel_name;
  }

  absl::StatusOr<agora_token::BuiltToken> built;
  switch (shape.kind) {
    case Kind::kRtc006: {
      line["kind"] = "rtc006";
      agora_token::Rtc006Params params;
      params.channel_name = channel_name;
      params.user = user;
      params.role = *shape.role;
      params.privilege_expired_ts = RandomPrivilegeExpiredTs(random, issuance.issue_ts);
      line["role"] = static_cast<int>(params.role);
      line["privilege_expired_ts"] = params.privilege_expired_ts;
      built = use_app_key ? agora_token::BuildRtcToken006(*app, params, issuance)
                          : agora_token::BuildRtcToken006(credentials, params, issuance);
      break;
    }
    case Kind::kRtm006: {
      line["kind"] = "rtm006";
      const std::string user_id = RandomName(random, kMaxAccountLength);
      const uint32_t expired_ts = RandomPrivilegeExpiredTs(random, issuance.issue_ts);
      line["user_id"] = user_id;
      line["privilege_expired_ts"] = expired_ts;
      built = use_app_key
                  ? agora_token::BuildRtmToken006(*app, user_id, expired_ts, issuance)
                  : agora_token::BuildRtmToken006(credentials, user_id, expired_ts, issuance);
      break;
    }
    case Kind::kRtc007: {
      line["kind"] = "rtc007";
      agora_token::Rtc007Params params;
      params.channel_name = channel_name;
      params.user = user;
      params.token_expire = RandomTokenExpire(random);
      params.with_rtm = shape.with_rtm;
      line["token_expire"] = params.token_expire;
      line["with_rtm"] = params.with_rtm;
      if (shape.per_privilege) {
        agora_token::RtcPrivilegeExpires expires;
        expires.join_channel = RandomPrivilegeExpire(random);
        expires.publish_audio = RandomPrivilegeExpire(random);
        expires.publish_video = RandomPrivilegeExpire(random);
        expires.publish_data_stream = RandomPrivilegeExpire(random);
        params.privilege_expires = expires;
        line["privilege_expires"] = {{"join_channel", expires.join_channel},
                                     {"publish_audio", expires.publish_audio},
                                     {"publish_video", expires.publish_video},
                                     {"publish_data_stream", expires.publish_data_stream}};
      } else {
        params.role =
            shape.role.value_or(random.OneIn(2) ? RtcRole::kPublisher : RtcRole::kSubscriber);
        params.privilege_expire = RandomPrivilegeExpire(random);
        line["role"] = static_cast<int>(params.role);
        line["privilege_expire"] = params.privilege_expire;
      }
      line["compression"] = CompressionName(shape.compression);
      built = use_app_key
                  ? agora_token::BuildRtcToken007(*app, params, issuance, shape.compression)
                  : agora_token::BuildRtcToken007(credentials, params, issuance, shape.compression);
      break;
    }
    case Kind::kRtm007: {
      line["kind"] = "rtm007";
      const std::string user_id = RandomName(random, kMaxAccountLength);
      const uint32_t expire = RandomTokenExpire(random);
      line["user_id"] = user_id;
      line["token_expire"] = expire;
      line["compression"] = CompressionName(shape.compression);
      built = use_app_key ? agora_token::BuildRtmToken007(*app, user_id, expire, issuance,
                                                          shape.compression)
                          : agora_token::BuildRtmToken007(credentials, user_id, expire, issuance,
                                                          shape.compression);
      break;
    }
    case Kind::kChat007: {
      line["kind"] = "chat007";
      const std::string user_id =
          shape.chat_app ? std::string() : RandomName(random, kMaxAccountLength);
      const uint32_t expire = RandomTokenExpire(random);
      line["user_id"] = user_id;
      line["token_expire"] = expire;
      line["compression"] = CompressionName(shape.compression);
      built = use_app_key ? agora_token::BuildChatToken007(*app, user_id, expire, issuance,
                                                           shape.compression)
                          : agora_token::BuildChatToken007(credentials, user_id, expire, issuance,
                                                           shape.compression);
      break;
    }
    case Kind::kFpa007: {
      line["kind"] = "fpa007";
      line["token_expire"] = kDay;  // fixed by the builder, as in the reference
      line["compression"] = CompressionName(shape.compression);
      built = use_app_key ? agora_token::BuildFpaToken(*app, issuance, shape.compression)
                          : agora_token::BuildFpaToken(credentials, issuance, shape.compression);
      break;
    }
    case Kind::kApaas007: {
      agora_token::ApaasTokenParams params;
      params.kind = shape.apaas_kind;
      params.token_expire = RandomTokenExpire(random);
      if (params.kind == agora_token::ApaasTokenKind::kRoomUser) {
        line["kind"] = "apaas007_room_user";
        params.room_uuid = RandomName(random, kMaxChannelNameLength);
        params.role = RandomApaasRole(random);
      } else {
        line["kind"] =
            params.kind == agora_token::ApaasTokenKind::kUser ? "apaas007_user" : "apaas007_app";
      }
      if (params.kind != agora_token::ApaasTokenKind::kApp) {
        params.user_uuid = RandomUuid(random, kMaxUuidBytes);
      }
      line["room_uuid"] = params.room_uuid;
      line["user_uuid"] = params.user_uuid;
      line["role"] = params.role;
      line["token_expire"] = params.token_expire;
      line["compression"] = CompressionName(shape.compression);
      built = use_app_key
                  ? agora_token::BuildApaasToken(*app, params, issuance, shape.compression)
                  : agora_token::BuildApaasToken(credentials, params, issuance, shape.compression);
      break;
    }
    case Kind::kRtm2007: {
      line["kind"] = "rtm2_007";
      agora_token::Rtm2TokenParams params;
      params.user_id = RandomName(random, kMaxUserIdLength);
      params.rtm2_resources = RandomRtm2Resources(random, 64, kMaxChannelNameLength);
      params.token_expire = RandomTokenExpire(random);
      line["user_id"] = params.user_id;
      line["rtm2_resources"] = Rtm2ResourcesJson(params.rtm2_resources);
      line["token_expire"] = params.token_expire;
      line["compression"] = CompressionName(shape.compression);
      built = use_app_key
                  ? agora_token::BuildRtm2Token(*app, params, issuance, shape.compression)
                  : agora_token::BuildRtm2Token(credentials, params, issuance, shape.compression);
      break;
    }
    case Kind::kRtcRtm2007: {
      line["kind"] = shape.extra_service == agora_token::kServiceConvoAi ? "convoai007"
                     : shape.extra_service == agora_token::kServiceStt   ? "stt007"
                                                                         : "rtc007_rtm2";
      agora_token::RtcWithRtmParams params;
      params.channel_name = channel_name;
      params.user = user;
      params.role = random.OneIn(2) ? RtcRole::kPublisher : RtcRole::kSubscriber;
      params.token_expire = RandomTokenExpire(random);
      params.privilege_expires = {RandomPrivilegeExpire(random), RandomPrivilegeExpire(random),
                                  RandomPrivilegeExpire(random), RandomPrivilegeExpire(random)};
      params.rtm_user_id = RandomName(random, kMaxUserIdLength);
      params.rtm_token_expire = RandomPrivilegeExpire(random);
      const agora_token::RtcPrivilegeExpires& e = params.privilege_expires;
      line["role"] = static_cast<int>(params.role);
      line["token_expire"] = params.token_expire;
      line["privilege_expires"] = {{"join_channel", e.join_channel},
                                   {"publish_audio", e.publish_audio},
                                   {"publish_video", e.publish_video},
                                   {"publish_data_stream", e.publish_data_stream}};
      line["rtm_user_id"] = params.rtm_user_id;
      line["rtm_token_expire"] = params.rtm_token_expire;
      line["compression"] = CompressionName(shape.compression);
      built = use_app_key
                  ? BuildRtcWithRtm(shape.extra_service, *app, params, issuance, shape.compression)
                  : BuildRtcWithRtm(shape.extra_service, credentials, params, issuance,
                                    shape.compression);
      break;
    }
    case Kind::kAccessToken2007: {
      line["kind"] = "access_token2_007";
      agora_token::AccessToken2Params params;
      params.token_expire = RandomTokenExpire(random);
      // 1, 16 (the bounds) or between; long names only in short lists, so
      // every token stays under the decoder's length limit.
      const size_t count = random.OneIn(5) ? 16 : random.Between(1, 16);
      const size_t max_length = count > 6 ? 40 : kMaxAccountLength;
      nlohmann::json services = nlohmann::json::array();
      for (size_t i = 0; i < count; ++i) {
        const auto type = static_cast<uint16_t>(random.Between(1, agora_token::kServiceStt));
        params.services.push_back(RandomGrant(random, type, max_length));
        services.push_back(GrantJson(params.services.back()));
      }
      line["token_expire"] = params.token_expire;
      line["services"] = services;
      line["compression"] = CompressionName(shape.compression);
      built =
          use_app_key
              ? agora_token::BuildAccessToken2(*app, params, issuance, shape.compression)
              : agora_token::BuildAccessToken2(credentials, params, issuance, shape.compression);
      break;
    }
  }
  if (!built.ok()) return built.status();

  line["token"] = built->token;
  line["built"] = {{"issue_ts", built->issue_ts},
                   {"salt", built->salt},
                   {"expire_ts", built->expire_ts},
                   {"version", built->version == agora_token::TokenVersion::k006 ? "006" : "007"}};
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);

  const uint64_t seed =
      absl::GetFlag(FLAGS_seed)
          .value_or(static_cast<uint64_t>(
              std::chrono::high_resolution_clock::now().time_since_epoch().count()));
  const int count = absl::GetFlag(FLAGS_count);
  const std::vector<Shape> shapes = AllShapes();
  // Printed first so any later failure can be replayed.
  std::cerr << "crosscheck_gen: seed=" << seed << " count=" << count << " shapes=" << shapes.size()
            << "\n";
  if (count < static_cast<int>(shapes.size())) {
    std::cerr << "crosscheck_gen: --count must be at least " << shapes.size()
              << " so every shape is covered\n";
    return 2;
  }

  std::ofstream file;
  const std::string out_path = absl::GetFlag(FLAGS_out);
  if (!out_path.empty()) {
    file.open(out_path, std::ios::out | std::ios::trunc);
    if (!file) {
      std::cerr << "crosscheck_gen: cannot open " << out_path << "\n";
      return 2;
    }
  }
  std::ostream& out = out_path.empty() ? std::cout : file;

  Random random(seed);
  agora_token::SystemClock clock;
  for (int i = 0; i < count; ++i) {
    const Shape& shape = shapes[i % shapes.size()];
    // Alternate per pass so every shape gets both a drawn and a fixed issuance.
    const bool fresh_issuance = (i / shapes.size()) % 2 == 0;
    absl::StatusOr<nlohmann::json> line = GenerateCase(shape, fresh_issuance, random, clock);
    if (!line.ok()) {
      // Every input is valid by construction, so a rejection is a core bug.
      // The core's messages never carry the certificate.
      std::cerr << "crosscheck_gen: seed=" << seed << " case=" << i << " shape=" << shape.name
                << ": the core rejected a valid input: " << line.status() << "\n";
      return 1;
    }
    (*line)["seed"] = std::to_string(seed);  // a string: JSON numbers lose 64-bit precision in JS
    (*line)["case"] = i;
    out << line->dump() << '\n';
  }
  out.flush();
  if (!out) {
    std::cerr << "crosscheck_gen: write failed\n";
    return 2;
  }
  return 0;
}
