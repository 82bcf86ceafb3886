#include "server/http/json_codec.h"

#include <google/protobuf/type.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

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

}  // namespace

absl::Status JsonToMessage(std::string_view json, pb::Message* message) {
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
  const pb::util::Status status = pb::util::BinaryToJsonString(
      &Resolver(), TypeUrlOf(message), message.SerializeAsString(), json,
      pb::util::JsonPrintOptions());
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return absl::OkStatus();
}

}  // namespace agora_token
