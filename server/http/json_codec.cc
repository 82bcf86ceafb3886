#include "server/http/json_codec.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/type.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

namespace agora_token {
namespace {

namespace pb = google::protobuf;

constexpr char kTypeUrlPrefix[] = "type.googleapis.com";

// The generated pool's resolver, remembering what it resolved. Types never
// change in a running process, so entries are never invalidated.
class CachingTypeResolver : public pb::util::TypeResolver {
 public:
  CachingTypeResolver()
      : inner_(pb::util::NewTypeResolverForDescriptorPool(kTypeUrlPrefix,
                                                          pb::DescriptorPool::generated_pool())) {}

  pb::util::Status ResolveMessageType(const std::string& type_url, pb::Type* type) override {
    return Resolve(type_url, type, messages_,
                   [this](const std::string& url, pb::Type* out) {
                     return inner_->ResolveMessageType(url, out);
                   });
  }
  pb::util::Status ResolveEnumType(const std::string& type_url, pb::Enum* type) override {
    return Resolve(type_url, type, enums_, [this](const std::string& url, pb::Enum* out) {
      return inner_->ResolveEnumType(url, out);
    });
  }

 private:
  template <typename T, typename Fetch>
  pb::util::Status Resolve(const std::string& url, T* out,
                           std::unordered_map<std::string, T>& cache, Fetch&& fetch) {
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      auto it = cache.find(url);
      if (it != cache.end()) {
        *out = it->second;
        return pb::util::Status();
      }
    }
    T fetched;
    pb::util::Status status = fetch(url, &fetched);
    if (!status.ok()) return status;
    *out = fetched;
    std::unique_lock<std::shared_mutex> lock(mutex_);
    cache.emplace(url, std::move(fetched));
    return status;
  }

  std::unique_ptr<pb::util::TypeResolver> inner_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, pb::Type> messages_;
  std::unordered_map<std::string, pb::Enum> enums_;
};

CachingTypeResolver& Resolver() {
  static CachingTypeResolver* resolver = new CachingTypeResolver();  // never destroyed
  return *resolver;
}

std::string TypeUrlOf(const pb::Message& message) {
  return std::string(kTypeUrlPrefix) + "/" + message.GetDescriptor()->full_name();
}

// Nesting deeper than this is left to protobuf (its own limit is 100).
constexpr int kMaxDepth = 32;

// protobuf's JSON has special forms for its well-known types (Any,
// Timestamp, wrappers, Struct, ...).
bool IsPlainMessage(const pb::Descriptor* type) {
  return type->file()->package() != "google.protobuf";
}

// The field a JSON key names: its JSON name first, then its proto name, as
// protobuf's converter looks them up.
const pb::FieldDescriptor* FieldNamed(const pb::Descriptor* type, std::string_view key) {
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->json_name() == key) return type->field(i);
  }
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->name() == key) return type->field(i);
  }
  return nullptr;
}

// Reflection's setter (or adder) of a field type.
template <typename T>
using Setter = void (pb::Reflection::*)(pb::Message*, const pb::FieldDescriptor*, T) const;

// Sets a singular field, or adds an element to a repeated one.
template <typename T>
void Put(pb::Message* message, const pb::FieldDescriptor* field, T value, Setter<T> set,
         Setter<T> add) {
  (message->GetReflection()->*(field->is_repeated() ? add : set))(message, field, std::move(value));
}

// Reads the strict JSON subset of the header's comment into a message;
// false as soon as the input leaves it.
class FastJsonReader {
 public:
  explicit FastJsonReader(std::string_view json)
      : p_(json.data()), end_(json.data() + json.size()) {}

  bool Read(pb::Message* message) { return Object(message, 0) && (SkipSpace(), p_ == end_); }

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool Take(char c) {
    SkipSpace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool TakeWord(std::string_view word) {
    SkipSpace();
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // A string of printable ASCII without escapes.
  bool String(std::string_view* out) {
    if (!Take('"')) return false;
    const char* start = p_;
    for (; p_ != end_ && *p_ != '"'; ++p_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c < 0x20 || c >= 0x7f || c == '\\') return false;
    }
    if (p_ == end_) return false;
    *out = std::string_view(start, static_cast<size_t>(p_ - start));
    ++p_;
    return true;
  }

  // An integer as JSON writes one: no leading zero, fraction or exponent.
  bool Integer(bool* negative, uint64_t* magnitude) {
    SkipSpace();
    *negative = p_ != end_ && *p_ == '-';
    if (*negative) ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0' && p_ + 1 != end_ && p_[1] >= '0' && p_[1] <= '9') return false;
    uint64_t value = 0;
    for (; p_ != end_ && *p_ >= '0' && *p_ <= '9'; ++p_) {
      const uint64_t digit = static_cast<uint64_t>(*p_ - '0');
      if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
      value = value * 10 + digit;
    }
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    *magnitude = value;
    return true;
  }

  template <typename T>
  bool IntegerIn(T* out) {
    bool negative = false;
    uint64_t magnitude = 0;
    if (!Integer(&negative, &magnitude)) return false;
    if (!negative) {
      if (magnitude > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
      *out = static_cast<T>(magnitude);
      return true;
    }
    if constexpr (std::is_unsigned_v<T>) {
      return false;
    } else {
      // -(min + 1) + 1 is min's magnitude, without overflow.
      if (magnitude > static_cast<uint64_t>(-(std::numeric_limits<T>::min() + 1)) + 1) return false;
      *out = static_cast<T>(-static_cast<int64_t>(magnitude - 1) - 1);
      return true;
    }
  }

  // One value of `field` (one element when it is repeated).
  bool Value(const pb::FieldDescriptor* field, pb::Message* message, int depth) {
    using R = pb::Reflection;
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING: {
        std::string_view value;
        if (field->type() == pb::FieldDescriptor::TYPE_BYTES || !String(&value)) return false;
        Put<std::string>(message, field, std::string(value), &R::SetString, &R::AddString);
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_INT32:
        return PutInteger<int32_t>(message, field, &R::SetInt32, &R::AddInt32);
      case pb::FieldDescriptor::CPPTYPE_INT64:
        return PutInteger<int64_t>(message, field, &R::SetInt64, &R::AddInt64);
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        return PutInteger<uint32_t>(message, field, &R::SetUInt32, &R::AddUInt32);
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        return PutInteger<uint64_t>(message, field, &R::SetUInt64, &R::AddUInt64);
      case pb::FieldDescriptor::CPPTYPE_BOOL: {
        const bool value = TakeWord("true");
        if (!value && !TakeWord("false")) return false;
        Put<bool>(message, field, value, &R::SetBool, &R::AddBool);
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_ENUM: {
        // By name only; protobuf also takes numbers, unknown ones included.
        std::string_view name;
        if (!String(&name)) return false;
        const pb::EnumDescriptor* type = field->enum_type();
        for (int i = 0; i < type->value_count(); ++i) {
          if (type->value(i)->name() != name) continue;
          Put<int>(message, field, type->value(i)->number(), &R::SetEnumValue, &R::AddEnumValue);
          return true;
        }
        return false;
      }
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        if (!IsPlainMessage(field->message_type())) return false;
        return Object(field->is_repeated()
                          ? message->GetReflection()->AddMessage(message, field)
                          : message->GetReflection()->MutableMessage(message, field),
                      depth + 1);
      default:  // float and double: protobuf's number forms
        return false;
    }
  }

  template <typename T>
  bool PutInteger(pb::Message* message, const pb::FieldDescriptor* field, Setter<T> set,
                  Setter<T> add) {
    T value = 0;
    if (!IntegerIn(&value)) return false;
    Put<T>(message, field, value, set, add);
    return true;
  }

  bool Object(pb::Message* message, int depth) {
    if (depth > kMaxDepth || !Take('{')) return false;
    if (Take('}')) return true;
    const pb::Descriptor* type = message->GetDescriptor();
    const pb::Reflection* reflection = message->GetReflection();
    if (type->field_count() > 64) return false;
    uint64_t seen = 0;
    do {
      std::string_view key;
      if (!String(&key)) return false;
      const pb::FieldDescriptor* field = FieldNamed(type, key);
      if (field == nullptr || field->is_map()) return false;
      const uint64_t bit = uint64_t{1} << field->index();
      if ((seen & bit) != 0) return false;
      seen |= bit;
      if (const pb::OneofDescriptor* oneof = field->real_containing_oneof();
          oneof != nullptr && reflection->HasOneof(*message, oneof)) {
        return false;
      }
      if (!Take(':')) return false;
      if (!field->is_repeated()) {
        if (!Value(field, message, depth)) return false;
      } else {
        if (!Take('[')) return false;
        if (!Take(']')) {
          do {
            if (!Value(field, message, depth)) return false;
          } while (Take(','));
          if (!Take(']')) return false;
        }
      }
    } while (Take(','));
    return Take('}');
  }

  const char* p_;
  const char* end_;
};

// protobuf's escape of an ASCII byte (JsonEscaping), null for one written
// as it is, "" for a byte beyond ASCII (which protobuf sometimes escapes).
struct EscapeTable {
  const char* escape[256] = {};
  constexpr EscapeTable() {
    constexpr const char* kControl[] = {
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
        "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
        "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"};
    for (int c = 0; c < 0x20; ++c) escape[c] = kControl[c];
    escape['"'] = "\\\"";
    escape['\\'] = "\\\\";
    escape['<'] = "\\u003c";
    escape['>'] = "\\u003e";
    escape[0x7f] = "\\u007f";
    for (int c = 0x80; c < 0x100; ++c) escape[c] = "";
  }
};
constexpr EscapeTable kEscapes;

// The wire format as protobuf's generated serializer writes it.
class WireInput {
 public:
  explicit WireInput(std::string_view wire)
      : p_(reinterpret_cast<const uint8_t*>(wire.data())), end_(p_ + wire.size()) {}

  bool done() const { return p_ == end_; }

  bool Varint(uint64_t* value) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
      const uint8_t byte = *p_++;
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) {
        *value = result;
        return true;
      }
    }
    return false;
  }
  template <typename T>
  bool Fixed(T* value) {
    if (static_cast<size_t>(end_ - p_) < sizeof(T)) return false;
    // Little-endian on the wire, as on every machine this server builds for.
    std::memcpy(value, p_, sizeof(T));
    p_ += sizeof(T);
    return true;
  }
  bool Bytes(std::string_view* bytes) {
    uint64_t size = 0;
    if (!Varint(&size) || size > static_cast<uint64_t>(end_ - p_)) return false;
    *bytes = std::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(size));
    p_ += size;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

enum WireType { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// The wire type of one value of `field`; -1 for the types left to protobuf.
int WireTypeOf(const pb::FieldDescriptor* field) {
  switch (field->type()) {
    case pb::FieldDescriptor::TYPE_INT32:
    case pb::FieldDescriptor::TYPE_INT64:
    case pb::FieldDescriptor::TYPE_UINT32:
    case pb::FieldDescriptor::TYPE_UINT64:
    case pb::FieldDescriptor::TYPE_SINT32:
    case pb::FieldDescriptor::TYPE_SINT64:
    case pb::FieldDescriptor::TYPE_BOOL:
    case pb::FieldDescriptor::TYPE_ENUM:
      return kVarint;
    case pb::FieldDescriptor::TYPE_FIXED64:
    case pb::FieldDescriptor::TYPE_SFIXED64:
      return kFixed64;
    case pb::FieldDescriptor::TYPE_FIXED32:
    case pb::FieldDescriptor::TYPE_SFIXED32:
      return kFixed32;
    case pb::FieldDescriptor::TYPE_STRING:
    case pb::FieldDescriptor::TYPE_MESSAGE:
      return kLengthDelimited;
    default:  // float, double (protobuf's number formatting), bytes, groups
      return -1;
  }
}

// Where the run of bytes written as they are (printable ASCII but for
// '"', '\\', '<' and '>') that starts at `p` ends: eight bytes a step
// (tokens are long runs of base64), then byte by byte.
const char* PlainRunEnd(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHighs = 0x8080808080808080;
  // A byte of `x` is zero.
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  while (end - p >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    const uint64_t special = ((x - 0x20 * kOnes) | (x + kOnes)) & kHighs;  // < 0x20, >= 0x7f
    if (special | has_zero(x ^ ('"' * kOnes)) | has_zero(x ^ ('\\' * kOnes)) |
        has_zero(x ^ ('<' * kOnes)) | has_zero(x ^ ('>' * kOnes))) {
      break;
    }
    p += 8;
  }
  while (p != end && kEscapes.escape[static_cast<unsigned char>(*p)] == nullptr) ++p;
  return p;
}

// Writes messages as protobuf's printer does with default options, or
// declines (false) at the first value the header's comment leaves to it.
// It reads the message's wire format rather than the message: the
// generated serializer writes the set fields in number order (the printer's
// order) with a repeated field's elements together, at a fraction of the
// cost of reflection's getters. Anything else on the wire (unknown fields,
// another order) is declined.
class FastJsonWriter {
 public:
  explicit FastJsonWriter(std::string* out) : out_(out) {}

  bool Message(const pb::Descriptor* type, std::string_view wire, int depth) {
    if (depth > kMaxDepth) return false;
    WireInput in(wire);
    const pb::FieldDescriptor* open = nullptr;  // the repeated field whose array is open
    int last_number = 0;
    int next_index = 0;  // where the next field usually is among the type's fields
    out_->push_back('{');
    while (!in.done()) {
      uint64_t tag = 0;
      if (!in.Varint(&tag) || tag > std::numeric_limits<uint32_t>::max()) return false;
      const int number = static_cast<int>(tag >> 3);
      const pb::FieldDescriptor* field = FieldNumbered(type, number, &next_index);
      if (field == nullptr || field->is_map()) return false;
      const int wire_type = WireTypeOf(field);
      if (wire_type < 0) return false;
      if (field != open) {
        if (open != nullptr) out_->push_back(']');
        open = nullptr;
        if (number <= last_number) return false;
        if (last_number != 0) out_->push_back(',');
        last_number = number;
        out_->push_back('"');
        out_->append(field->json_name());
        out_->append("\":");
        if (field->is_repeated()) {
          out_->push_back('[');
          open = field;
        }
      } else {
        out_->push_back(',');
      }
      if ((tag & 7) == kLengthDelimited && wire_type != kLengthDelimited && field->is_repeated()) {
        // Packed scalars: one record of values.
        std::string_view packed;
        if (!in.Bytes(&packed) || packed.empty()) return false;
        WireInput values(packed);
        for (bool first = true; !values.done(); first = false) {
          if (!first) out_->push_back(',');
          if (!Value(field, &values, depth)) return false;
        }
        continue;
      }
      if (static_cast<int>(tag & 7) != wire_type || !Value(field, &in, depth)) return false;
    }
    if (open != nullptr) out_->push_back(']');
    out_->push_back('}');
    return true;
  }

 private:
  // Fields are usually declared in number order: try the next one first.
  static const pb::FieldDescriptor* FieldNumbered(const pb::Descriptor* type, int number,
                                                  int* next_index) {
    for (int i = *next_index; i < type->field_count(); ++i) {
      if (type->field(i)->number() == number) {
        *next_index = i;  // a repeated field comes again
        return type->field(i);
      }
      if (type->field(i)->number() > number) break;
    }
    return type->FindFieldByNumber(number);
  }

  // One value of `field`, read from `in`.
  bool Value(const pb::FieldDescriptor* field, WireInput* in, int depth) {
    uint64_t varint = 0;
    switch (field->type()) {
      case pb::FieldDescriptor::TYPE_INT32:
        if (!in->Varint(&varint)) return false;
        Number(static_cast<int32_t>(varint));
        return true;
      case pb::FieldDescriptor::TYPE_UINT32:
        if (!in->Varint(&varint)) return false;
        Number(static_cast<uint32_t>(varint));
        return true;
      case pb::FieldDescriptor::TYPE_SINT32:
        if (!in->Varint(&varint)) return false;
        Number(ZigZag32(static_cast<uint32_t>(varint)));
        return true;
      // 64-bit integers are strings in proto3 JSON.
      case pb::FieldDescriptor::TYPE_INT64:
        if (!in->Varint(&varint)) return false;
        Number(static_cast<int64_t>(varint), true);
        return true;
      case pb::FieldDescriptor::TYPE_UINT64:
        if (!in->Varint(&varint)) return false;
        Number(varint, true);
        return true;
      case pb::FieldDescriptor::TYPE_SINT64:
        if (!in->Varint(&varint)) return false;
        Number(ZigZag64(varint), true);
        return true;
      case pb::FieldDescriptor::TYPE_FIXED32:
        return FixedNumber<uint32_t>(in, false);
      case pb::FieldDescriptor::TYPE_SFIXED32:
        return FixedNumber<int32_t>(in, false);
      case pb::FieldDescriptor::TYPE_FIXED64:
        return FixedNumber<uint64_t>(in, true);
      case pb::FieldDescriptor::TYPE_SFIXED64:
        return FixedNumber<int64_t>(in, true);
      case pb::FieldDescriptor::TYPE_BOOL:
        if (!in->Varint(&varint)) return false;
        out_->append(varint != 0 ? "true" : "false");
        return true;
      case pb::FieldDescriptor::TYPE_ENUM: {
        if (!in->Varint(&varint)) return false;
        // A value the enum does not name is written as its number.
        const int number = static_cast<int32_t>(varint);
        if (const pb::EnumValueDescriptor* value = field->enum_type()->FindValueByNumber(number)) {
          out_->push_back('"');
          out_->append(value->name());
          out_->push_back('"');
        } else {
          Number(number);
        }
        return true;
      }
      case pb::FieldDescriptor::TYPE_STRING: {
        std::string_view value;
        return in->Bytes(&value) && String(value);
      }
      case pb::FieldDescriptor::TYPE_MESSAGE: {
        std::string_view nested;
        return IsPlainMessage(field->message_type()) && in->Bytes(&nested) &&
               Message(field->message_type(), nested, depth + 1);
      }
      default:
        return false;
    }
  }

  static int32_t ZigZag32(uint32_t n) {
    return static_cast<int32_t>(n >> 1) ^ -static_cast<int32_t>(n & 1);
  }
  static int64_t ZigZag64(uint64_t n) {
    return static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1);
  }

  template <typename T>
  bool FixedNumber(WireInput* in, bool quoted) {
    T value;
    if (!in->Fixed(&value)) return false;
    Number(value, quoted);
    return true;
  }

  template <typename T>
  void Number(T value, bool quoted = false) {
    char digits[24];
    char* end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    if (quoted) out_->push_back('"');
    out_->append(digits, end);
    if (quoted) out_->push_back('"');
  }

  // ASCII only: protobuf escapes some characters beyond it.
  bool String(std::string_view value) {
    out_->push_back('"');
    const char* p = value.data();
    const char* end = p + value.size();
    while (p != end) {
      const char* plain = p;
      p = PlainRunEnd(p, end);
      out_->append(plain, static_cast<size_t>(p - plain));
      if (p == end) break;
      const char* escape = kEscapes.escape[static_cast<unsigned char>(*p++)];
      if (*escape == '\0') return false;
      out_->append(escape);
    }
    out_->push_back('"');
    return true;
  }

  std::string* out_;
};

}  // namespace

bool FastJsonToMessage(std::string_view json, pb::Message* message) {
  message->Clear();
  return FastJsonReader(json).Read(message);
}

bool FastMessageToJson(const pb::Message& message, std::string* json) {
  json->clear();
  json->reserve(1024);
  // Kept by the thread: no allocation once warm.
  thread_local std::string wire;
  wire.clear();
  if (!message.AppendToString(&wire)) return false;
  const bool written = FastJsonWriter(json).Message(message.GetDescriptor(), wire, 0);
  if (wire.capacity() > 64 * 1024) std::string().swap(wire);  // a rare large message
  return written;
}

absl::Status JsonToMessage(std::string_view json, pb::Message* message) {
  if (FastJsonToMessage(json, message)) return absl::OkStatus();
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  std::string binary;
  const pb::util::Status status = pb::util::JsonToBinaryString(
      &Resolver(), TypeUrlOf(*message), pb::StringPiece(json.data(), json.size()), &binary,
      options);
  if (!status.ok()) return absl::InvalidArgumentError(std::string(status.message()));
  if (!message->ParseFromString(binary)) {
    return absl::InvalidArgumentError("the JSON does not make a valid message");
  }
  return absl::OkStatus();
}

absl::Status MessageToJson(const pb::Message& message, std::string* json) {
  if (FastMessageToJson(message, json)) return absl::OkStatus();
  json->clear();
  const pb::util::Status status = pb::util::BinaryToJsonString(
      &Resolver(), TypeUrlOf(message), message.SerializeAsString(), json,
      pb::util::JsonPrintOptions());
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return absl::OkStatus();
}

}  // namespace agora_token
