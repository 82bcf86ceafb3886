// Structured logs: one JSON object per line on stderr, with a level, so log
// pipelines can parse them. Callers pass only non-secret values: never a
// certificate, API key or token.
#ifndef AGORA_TOKEN_SERVER_LOG_H_
#define AGORA_TOKEN_SERVER_LOG_H_

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace agora_token {

enum class LogLevel { kInfo, kWarning, kError };

using LogField = std::pair<std::string_view, std::string>;

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

// RFC 3339 UTC with milliseconds, e.g. "2026-11-28T04:29:04.123Z".
std::string Rfc3339(std::chrono::system_clock::time_point time);
void AppendRfc3339(std::chrono::system_clock::time_point time, std::string* out);

// `s` as a JSON string literal, quotes included. Bytes that are not valid
// UTF-8 become U+FFFD, so the line stays valid JSON whatever `s` holds.
std::string JsonQuote(std::string_view s);
void AppendJsonQuoted(std::string_view s, std::string* out);

// Sends libprotobuf's and gRPC's own log messages through Log, so every
// line on stderr is JSON. Process-wide; call once from main.
void RouteLibraryLogs();

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_LOG_H_
