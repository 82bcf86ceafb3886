// Proto3 JSON with protobuf's util/json_util.h as the authority, made
// cheap for the calls that matter. protobuf 3.21's converter (which
// JsonStringToMessage and MessageToJsonString also use) goes JSON ->
// binary -> message and back through a TypeResolver, rebuilding a
// google.protobuf.Type and its name tables for every type on every call:
// about 40% of the server's CPU on a JSON BuildRtcTokenWithUid.
//
// So each direction first tries a fast path over the message's
// descriptors that covers the common case and declines everything else:
//   - reading: strict JSON (no escapes, non-ASCII, null, numbers with a
//     fraction or an exponent, quoted numbers, enum numbers), fields by
//     their JSON or proto name, no field twice, at most one per oneof;
//   - writing: no float, double, bytes, map or google.protobuf.* types,
//     ASCII strings.
// On a decline the message goes through protobuf's converter (with the
// type descriptions cached), so errors and edge cases are protobuf's own.
// tests/server/http/json_codec_test.cc checks the fast paths against
// protobuf on random messages of every request and response type.
#ifndef AGORA_TOKEN_SERVER_HTTP_JSON_CODEC_H_
#define AGORA_TOKEN_SERVER_HTTP_JSON_CODEC_H_

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace agora_token {

// Unknown fields are an error; the status message is protobuf's.
absl::Status JsonToMessage(std::string_view json, google::protobuf::Message* message);
// Replaces `*json`.
absl::Status MessageToJson(const google::protobuf::Message& message, std::string* json);

// The fast paths alone, for tests: false (with `message` or `json` in an
// unspecified state) where they decline.
bool FastJsonToMessage(std::string_view json, google::protobuf::Message* message);
bool FastMessageToJson(const google::protobuf::Message& message, std::string* json);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_JSON_CODEC_H_
