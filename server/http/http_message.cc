#include "server/http/http_message.h"

#include <cstdio>

#include "server/utf8.h"

namespace agora_token {

std::string JsonQuote(std::string_view text) {
  const std::string valid =
      IsValidUtf8(text) ? std::string(text) : ReplaceInvalidUtf8(text);
  std::string out;
  out.reserve(valid.size() + 2);
  out.push_back('"');
  for (const char c : valid) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace agora_token
