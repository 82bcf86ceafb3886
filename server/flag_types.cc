#include "server/flag_types.h"

namespace agora_token {

bool AbslParseFlag(absl::string_view text, TokenVersion* version, std::string* error) {
  if (text == "006") {
    *version = TokenVersion::k006;
  } else if (text == "007") {
    *version = TokenVersion::k007;
  } else {
    *error = "must be 006 or 007";
    return false;
  }
  return true;
}

std::string AbslUnparseFlag(TokenVersion version) {
  return version == TokenVersion::k006 ? "006" : "007";
}

bool AbslParseFlag(absl::string_view text, Compression* compression, std::string* error) {
  if (text == "compatible") {
    *compression = Compression::kCompatible;
  } else if (text == "fast") {
    *compression = Compression::kFast;
  } else {
    *error = "must be compatible or fast";
    return false;
  }
  return true;
}

std::string AbslUnparseFlag(Compression compression) {
  return compression == Compression::kFast ? "fast" : "compatible";
}

}  // namespace agora_token
