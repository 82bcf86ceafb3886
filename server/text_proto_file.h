// Reads a protobuf text-format file (the keyring, the server config) into a
// message. Parse errors report a position only: protobuf's own messages may
// quote the offending text, which could be a secret.
#ifndef AGORA_TOKEN_SERVER_TEXT_PROTO_FILE_H_
#define AGORA_TOKEN_SERVER_TEXT_PROTO_FILE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace agora_token {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// Errors read "<path>: <what>" and are INVALID_ARGUMENT (NOT_FOUND when the
// file cannot be read).
absl::Status ParseTextProtoFile(const std::string& path, google::protobuf::Message* message);

// INVALID_ARGUMENT "config: <field>: <what>", naming a field of the
// server config file.
absl::Status ConfigError(std::string_view field, std::string_view what);

// The directory of `path`, for resolving relative paths inside the file.
std::string DirectoryOf(const std::string& path);

// `path` if absolute, else `base_dir`/`path`.
std::string ResolvePath(const std::string& base_dir, const std::string& path);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_TEXT_PROTO_FILE_H_
