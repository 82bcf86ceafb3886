// The JSON codec's fast paths (server/http/json_codec.cc) against protobuf's
// util/json_util.h, the authority: random messages of every request and
// response type of agora.token.v1.TokenService (and the types inside them)
// are printed by both and must print the same; their JSON, in protobuf's
// spellings and mutated byte by byte, is read by both, and wherever the
// fast path accepts an input protobuf must accept it too, with the same
// message. The public functions must always agree with protobuf.
#include "server/http/json_codec.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "agora/token/v1/token_service.pb.h"
#include "gtest/gtest.h"
#include "http/every_kind.pb.h"

namespace agora_token_server_test {
namespace {

namespace pb = google::protobuf;
namespace v1 = agora::token::v1;
using agora_token::FastJsonToMessage;
using agora_token::FastMessageToJson;
using agora_token::JsonToMessage;
using agora_token::MessageToJson;

// Every message type the service's methods take or return, and those
// inside them.
std::vector<const pb::Descriptor*> ServiceTypes() {
  const pb::ServiceDescriptor* service =
      v1::BuildRtcTokenWithUidRequest::descriptor()->file()->FindServiceByName("TokenService");
  std::vector<const pb::Descriptor*> types;
  std::set<const pb::Descriptor*> seen;
  std::vector<const pb::Descriptor*> pending;
  for (int i = 0; i < service->method_count(); ++i) {
    pending.push_back(service->method(i)->input_type());
    pending.push_back(service->method(i)->output_type());
  }
  while (!pending.empty()) {
    const pb::Descriptor* type = pending.back();
    pending.pop_back();
    // protobuf's special forms of its own types are protobuf's to test.
    if (type->file()->package() == "google.protobuf" || !seen.insert(type).second) continue;
    types.push_back(type);
    for (int i = 0; i < type->field_count(); ++i) {
      if (type->field(i)->message_type() != nullptr)
        pending.push_back(type->field(i)->message_type());
    }
  }
  return types;
}

// The service's types and a test type with every field kind.
std::vector<const pb::Descriptor*> TestedTypes() {
  std::vector<const pb::Descriptor*> types = ServiceTypes();
  types.push_back(agora_token_test::EveryKind::descriptor());
  return types;
}

std::unique_ptr<pb::Message> New(const pb::Descriptor* type) {
  return std::unique_ptr<pb::Message>(
      pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

// Random messages with the values that tell printers apart: bounds of
// every integer type, enum values with and without a name, strings with
// every ASCII character protobuf escapes, and valid UTF-8 beyond ASCII.
class RandomMessages {
 public:
  explicit RandomMessages(uint64_t seed) : rng_(seed) {}

  void Fill(pb::Message* message, int depth) {
    const pb::Descriptor* type = message->GetDescriptor();
    for (int i = 0; i < type->field_count(); ++i) {
      const pb::FieldDescriptor* field = type->field(i);
      if (Below(3) == 0) continue;
      if (field->message_type() != nullptr &&
          (depth >= 3 || field->message_type()->file()->package() == "google.protobuf")) {
        continue;
      }
      const int count = field->is_repeated() ? static_cast<int>(Below(4)) : 1;
      for (int j = 0; j < count; ++j) Set(message, field, depth);
    }
  }

 private:
  uint64_t Below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }

  template <typename T>
  T Integer() {
    const T bounds[] = {0,
                        1,
                        2,
                        42,
                        std::numeric_limits<T>::max(),
                        std::numeric_limits<T>::min(),
                        static_cast<T>(-1)};
    if (Below(2) == 0) return bounds[Below(sizeof bounds / sizeof bounds[0])];
    return static_cast<T>(rng_());
  }

  std::string Text() {
    static const char* const kSamples[] = {"",
                                           "bench",
                                           "970CA35de60c44645bbae8a215061b33",
                                           "a b",
                                           "<script>&'x'</script>",
                                           "quote\" back\\slash /",
                                           "tab\tnew\nline\rfeed\f\b",
                                           "\x01\x1f\x7f",
                                           "caf\xc3\xa9",
                                           "\xe2\x80\xa8",
                                           "\xf0\x9f\x98\x80"};
    if (Below(2) == 0) return kSamples[Below(sizeof kSamples / sizeof kSamples[0])];
    std::string text(Below(24), ' ');
    for (char& c : text) c = static_cast<char>(Below(2) == 0 ? 'a' + Below(26) : 1 + Below(127));
    return text;
  }

  void Set(pb::Message* message, const pb::FieldDescriptor* field, int depth) {
    const pb::Reflection* r = message->GetReflection();
    const bool repeated = field->is_repeated();
#define AGORA_TOKEN_TEST_SET(Name, value)  \
  do {                                     \
    if (repeated) {                        \
      r->Add##Name(message, field, value); \
    } else {                               \
      r->Set##Name(message, field, value); \
    }                                      \
  } while (false)
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        AGORA_TOKEN_TEST_SET(Int32, Integer<int32_t>());
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        AGORA_TOKEN_TEST_SET(Int64, Integer<int64_t>());
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        AGORA_TOKEN_TEST_SET(UInt32, Integer<uint32_t>());
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        AGORA_TOKEN_TEST_SET(UInt64, Integer<uint64_t>());
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        AGORA_TOKEN_TEST_SET(Double, static_cast<double>(Integer<int32_t>()) / 8);
        break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        AGORA_TOKEN_TEST_SET(Float, static_cast<float>(Integer<int16_t>()) / 8);
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        AGORA_TOKEN_TEST_SET(Bool, Below(2) == 0);
        break;
      case pb::FieldDescriptor::CPPTYPE_ENUM: {
        const pb::EnumDescriptor* type = field->enum_type();
        const int number = Below(4) == 0 ? 1000 : type->value(Below(type->value_count()))->number();
        AGORA_TOKEN_TEST_SET(EnumValue, number);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_STRING:
        AGORA_TOKEN_TEST_SET(String, Text());
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        Fill(repeated ? r->AddMessage(message, field) : r->MutableMessage(message, field),
             depth + 1);
        break;
    }
#undef AGORA_TOKEN_TEST_SET
  }

  std::mt19937_64 rng_;
};

std::string ProtobufJson(const pb::Message& message, bool proto_names = false,
                         bool whitespace = false) {
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = proto_names;
  options.add_whitespace = whitespace;
  std::string json;
  EXPECT_TRUE(pb::util::MessageToJsonString(message, &json, options).ok())
      << message.ShortDebugString();
  return json;
}

TEST(JsonCodecTest, PrintsEveryServiceTypeAsProtobufDoes) {
  RandomMessages random(1);
  int fast = 0;
  int total = 0;
  for (const pb::Descriptor* type : TestedTypes()) {
    for (int i = 0; i < 200; ++i) {
      std::unique_ptr<pb::Message> message = New(type);
      random.Fill(message.get(), 0);
      const std::string expected = ProtobufJson(*message);
      std::string json;
      ASSERT_TRUE(MessageToJson(*message, &json).ok());
      EXPECT_EQ(json, expected) << message->ShortDebugString();
      ++total;
      if (FastMessageToJson(*message, &json)) {
        ++fast;
        EXPECT_EQ(json, expected) << message->ShortDebugString();
      }
    }
  }
  // Most random messages hold a string the fast path leaves to protobuf.
  EXPECT_GT(fast, total / 10) << fast << " of " << total;
}

// Clears the fields the fast printer leaves to protobuf (float, double,
// bytes, maps, strings beyond ASCII), at every depth.
void ClearDeclinedKinds(pb::Message* message) {
  const pb::Reflection* r = message->GetReflection();
  const pb::Descriptor* type = message->GetDescriptor();
  auto beyond_ascii = [&](const pb::FieldDescriptor* field) {
    const int count = field->is_repeated() ? r->FieldSize(*message, field) : 1;
    for (int j = 0; j < count; ++j) {
      const std::string text = field->is_repeated() ? r->GetRepeatedString(*message, field, j)
                                                    : r->GetString(*message, field);
      for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return true;
      }
    }
    return false;
  };
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* field = type->field(i);
    const pb::FieldDescriptor::Type kind = field->type();
    if (field->is_map() || kind == pb::FieldDescriptor::TYPE_FLOAT ||
        kind == pb::FieldDescriptor::TYPE_DOUBLE || kind == pb::FieldDescriptor::TYPE_BYTES ||
        (kind == pb::FieldDescriptor::TYPE_STRING && beyond_ascii(field))) {
      r->ClearField(message, field);
    } else if (kind == pb::FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int j = 0; j < r->FieldSize(*message, field); ++j) {
          ClearDeclinedKinds(r->MutableRepeatedMessage(message, field, j));
        }
      } else if (r->HasField(*message, field)) {
        ClearDeclinedKinds(r->MutableMessage(message, field));
      }
    }
  }
}

// Every integer kind (varint, zigzag, fixed; packed and not), bool, enum,
// optional, oneof and nesting through the fast printer.
TEST(JsonCodecTest, PrintsEveryFieldKindAsProtobufDoes) {
  RandomMessages random(2);
  int fast = 0;
  for (int i = 0; i < 2000; ++i) {
    agora_token_test::EveryKind message;
    random.Fill(&message, 0);
    ClearDeclinedKinds(&message);
    std::string json;
    if (FastMessageToJson(message, &json)) {
      ++fast;
      EXPECT_EQ(json, ProtobufJson(message)) << message.ShortDebugString();
    }
  }
  EXPECT_EQ(fast, 2000);
}

// The fast printer reads the wire format; unknown fields on it, even one
// numbered as a known field (another wire type), are left to protobuf.
TEST(JsonCodecTest, UnknownFieldsAreLeftToProtobuf) {
  for (int number : {99, 1, 6}) {
    v1::BuildRtcTokenWithUidResponse response;
    response.set_token("007abc");
    response.set_issue_ts(7);
    response.GetReflection()->MutableUnknownFields(&response)->AddFixed32(number, 5);
    std::string json;
    EXPECT_FALSE(FastMessageToJson(response, &json)) << number << ": " << json;
    ASSERT_TRUE(MessageToJson(response, &json).ok());
    EXPECT_EQ(json, ProtobufJson(response)) << number;
  }
}

struct ReadCounts {
  int fast = 0;  // inputs the fast path read
  int total = 0;
};

// Reads `json` both ways: wherever the fast path accepts it, protobuf must
// too, with the same message; the public function always agrees.
void ExpectReadAsProtobufDoes(const pb::Descriptor* type, const std::string& json,
                              ReadCounts* counts) {
  ++counts->total;
  std::unique_ptr<pb::Message> expected = New(type);
  const bool valid = pb::util::JsonStringToMessage(json, expected.get()).ok();
  std::unique_ptr<pb::Message> read = New(type);
  auto expect_same = [&] {
    // "NaN" reads as a NaN both ways, which equals nothing.
    pb::util::DefaultFieldComparator comparator;
    comparator.set_treat_nan_as_equal(true);
    pb::util::MessageDifferencer differencer;
    differencer.set_field_comparator(&comparator);
    EXPECT_TRUE(differencer.Compare(*read, *expected))
        << json << "\n"
        << read->ShortDebugString() << "\n"
        << expected->ShortDebugString();
  };
  const absl::Status status = JsonToMessage(json, read.get());
  ASSERT_EQ(status.ok(), valid) << type->full_name() << " " << json << " " << status;
  if (valid) expect_same();
  if (FastJsonToMessage(json, read.get())) {
    ++counts->fast;
    ASSERT_TRUE(valid) << type->full_name() << " " << json;
    expect_same();
  }
}

// Variants of protobuf's JSON of a message: its spellings, then mutations
// of them that keep parts valid (a token inserted, a byte dropped or
// changed, a piece repeated).
std::vector<std::string> Variants(const pb::Message& message, std::mt19937_64& rng) {
  std::vector<std::string> variants = {ProtobufJson(message), ProtobufJson(message, true),
                                       ProtobufJson(message, false, true)};
  static const char* const kTokens[] = {" ",          "null",
                                        "1.5",        "\"x\"",
                                        ",",          "}",
                                        "{",          "[",
                                        "]",          "\\u0041",
                                        "-",          "0",
                                        "1e3",        "\"\"",
                                        "true",       "07",
                                        "\"1\"",      ":",
                                        "\t",         "\v",
                                        "'",          "\"ROLE_PUBLISHER\"",
                                        "4294967296", "\xc3\xa9"};
  const size_t spellings = variants.size();
  for (size_t s = 0; s < spellings; ++s) {
    for (int i = 0; i < 12; ++i) {
      std::string json = variants[s];
      const size_t at = std::uniform_int_distribution<size_t>(0, json.size())(rng);
      switch (rng() % 4) {
        case 0:
          json.insert(at, kTokens[rng() % (sizeof kTokens / sizeof kTokens[0])]);
          break;
        case 1:
          if (at < json.size()) json.erase(at, 1);
          break;
        case 2:
          if (at < json.size()) json[at] = static_cast<char>(0x20 + rng() % 0x5f);
          break;
        case 3:
          json.insert(at, json.substr(at, rng() % 24));
          break;
      }
      variants.push_back(json);
    }
  }
  return variants;
}

TEST(JsonCodecTest, ReadsWhatProtobufReadsAndNothingElse) {
  RandomMessages random(2);
  std::mt19937_64 rng(3);
  ReadCounts counts;
  for (const pb::Descriptor* type : TestedTypes()) {
    for (int i = 0; i < 12; ++i) {
      std::unique_ptr<pb::Message> original = New(type);
      random.Fill(original.get(), 0);
      for (const std::string& json : Variants(*original, rng)) {
        ExpectReadAsProtobufDoes(type, json, &counts);
      }
    }
  }
  EXPECT_GT(counts.fast, counts.total / 20) << counts.fast << " of " << counts.total;
}

// JSON values to try for a field: of its type and of others, at and just
// beyond its bounds, in the forms protobuf also accepts (quoted numbers,
// exponents, enum numbers) and the ones it refuses.
std::vector<std::string> TrickyValues(const pb::FieldDescriptor* field) {
  std::vector<std::string> values = {"null", "true", "\"\"", "{}",  "[]",   "1",
                                     "-0",   "00",   "1.0",  "1e2", "\"1\""};
  switch (field->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      values.insert(values.end(), {"-2147483648", "2147483647", "-2147483649", "2147483648"});
      break;
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      values.insert(values.end(), {"-1", "4294967295", "4294967296"});
      break;
    case pb::FieldDescriptor::CPPTYPE_INT64:
      values.insert(values.end(), {"-9223372036854775808", "9223372036854775807",
                                   "-9223372036854775809", "9223372036854775808"});
      break;
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      values.insert(values.end(),
                    {"-1", "18446744073709551615", "18446744073709551616", "9007199254740993"});
      break;
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      values.insert(values.end(), {"false", "\"true\"", "True"});
      break;
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      for (int i = 0; i < field->enum_type()->value_count(); ++i) {
        const std::string& name = field->enum_type()->value(i)->name();
        values.push_back(absl::StrCat("\"", name, "\""));
        values.push_back(absl::StrCat("\"", absl::AsciiStrToLower(name), "\""));
      }
      values.insert(values.end(), {"1000", "\"NOPE\""});
      break;
    case pb::FieldDescriptor::CPPTYPE_STRING:
      values.insert(values.end(), {"\"x\"", "\"a\\\"b\"", "\"\\u0041\"", "\"caf\xc3\xa9\"",
                                   "\"\x01\"", "\"<>\"", "\"QUJD\"", "\"x\x7f\""});
      break;
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      values.insert(values.end(), {"{\"nope\":1}", "{ }"});
      break;
    default:
      values.insert(values.end(), {"1.5", "\"NaN\""});
      break;
  }
  return values;
}

// A value of the field's type that protobuf and the fast path both read.
std::string PlainValue(const pb::FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      return "\"y\"";
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return "false";
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return absl::StrCat(
          "\"", field->enum_type()->value(field->enum_type()->value_count() - 1)->name(), "\"");
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      return "{}";
    default:
      return "7";
  }
}

TEST(JsonCodecTest, ReadsEachFieldsEdgeValuesAsProtobufDoes) {
  ReadCounts counts;
  for (const pb::Descriptor* type : TestedTypes()) {
    for (int i = 0; i < type->field_count(); ++i) {
      const pb::FieldDescriptor* field = type->field(i);
      const std::vector<std::string> values = TrickyValues(field);
      const std::string plain = PlainValue(field);
      for (const std::string& key : {field->json_name(), field->name()}) {
        const std::string quoted = absl::StrCat("\"", key, "\":");
        for (const std::string& value : values) {
          ExpectReadAsProtobufDoes(type, absl::StrCat("{", quoted, value, "}"), &counts);
          if (field->is_repeated()) {
            ExpectReadAsProtobufDoes(type, absl::StrCat("{", quoted, "[", value, "]}"), &counts);
            ExpectReadAsProtobufDoes(type, absl::StrCat("{", quoted, "[", value, ",", plain, "]}"),
                                     &counts);
          }
          // The same field twice, and with each other member of its oneof.
          ExpectReadAsProtobufDoes(type, absl::StrCat("{", quoted, value, ",", quoted, plain, "}"),
                                   &counts);
          if (const pb::OneofDescriptor* oneof = field->real_containing_oneof()) {
            for (int j = 0; j < oneof->field_count(); ++j) {
              if (oneof->field(j) == field) continue;
              ExpectReadAsProtobufDoes(
                  type,
                  absl::StrCat("{", quoted, value, ",\"", oneof->field(j)->json_name(),
                               "\":", PlainValue(oneof->field(j)), "}"),
                  &counts);
            }
          }
        }
      }
    }
  }
  EXPECT_GT(counts.fast, 100);
}

TEST(JsonCodecTest, TheBenchmarksCallTakesTheFastPathBothWays) {
  v1::BuildRtcTokenWithUidRequest request;
  ASSERT_TRUE(FastJsonToMessage(
      R"({"appId":"970CA35de60c44645bbae8a215061b33","channelName":"bench","uid":42,)"
      R"("tokenExpireSeconds":3600, "role": "ROLE_SUBSCRIBER", "with_rtm": true})",
      &request));
  EXPECT_EQ(request.app_id(), "970CA35de60c44645bbae8a215061b33");
  EXPECT_EQ(request.channel_name(), "bench");
  EXPECT_EQ(request.uid(), 42u);
  EXPECT_EQ(request.token_expire_seconds(), 3600u);
  EXPECT_EQ(request.role(), v1::ROLE_SUBSCRIBER);
  EXPECT_TRUE(request.with_rtm());

  v1::BuildRtcTokenWithUidResponse response;
  response.set_token("007eJxTYBBLWv+/V7qY=");
  response.set_token_version(v1::TOKEN_VERSION_007);
  response.set_issue_ts(1111111);
  response.set_expire_ts(1114711);
  v1::PrivilegeExpiry* expiry = response.add_privilege_expiries();
  expiry->set_expire_ts(1114711);
  std::string json;
  ASSERT_TRUE(FastMessageToJson(response, &json));
  EXPECT_EQ(json, ProtobufJson(response));
}

TEST(JsonCodecTest, ErrorsAreProtobufsOwn) {
  const std::unique_ptr<pb::util::TypeResolver> resolver(pb::util::NewTypeResolverForDescriptorPool(
      "type.googleapis.com", pb::DescriptorPool::generated_pool()));
  v1::BuildRtcTokenWithUidRequest request;
  for (const char* json : {R"({"appId":"x","colour":"red"})", R"({"uid":-1})", R"({"uid":"x"})",
                           R"({"appId":"x"} trailing)", R"({"appId":)", ""}) {
    const absl::Status status = JsonToMessage(json, &request);
    std::string binary;
    pb::util::JsonParseOptions options;
    const pb::util::Status expected = pb::util::JsonToBinaryString(
        resolver.get(), "type.googleapis.com/agora.token.v1.BuildRtcTokenWithUidRequest", json,
        &binary, options);
    ASSERT_FALSE(expected.ok()) << json;
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_EQ(std::string(status.message()), std::string(expected.message())) << json;
  }
}

}  // namespace
}  // namespace agora_token_server_test
