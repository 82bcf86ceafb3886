// Proto3 JSON through protobuf's util/json_util.h, with the type
// descriptions cached. JsonStringToMessage and MessageToJsonString rebuild
// a google.protobuf.Type from the descriptors of every type a message uses
// on every call (about a tenth of the HTTP JSON call's throughput here).
// Here the same conversion (JsonToBinaryString, BinaryToJsonString) runs with a
// resolver that builds each type once.
#ifndef AGORA_TOKEN_SERVER_HTTP_JSON_CODEC_H_
#define AGORA_TOKEN_SERVER_HTTP_JSON_CODEC_H_

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace agora_token {

// Unknown fields are an error; the status message is protobuf's.
absl::Status JsonToMessage(std::string_view json, google::protobuf::Message* message);
absl::Status MessageToJson(const google::protobuf::Message& message, std::string* json);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_JSON_CODEC_H_
