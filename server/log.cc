#include "server/log.h"

#include <grpc/support/log.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "google/protobuf/stubs/logging.h"
#include "server/utf8.h"

namespace agora_token {
namespace {

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void AppendRfc3339(std::chrono::system_clock::time_point time, std::string* out) {
  const auto since_epoch = time.time_since_epoch();
  const time_t seconds =
      static_cast<time_t>(std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
  const int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000);
  std::tm utc;
  gmtime_r(&seconds, &utc);
  // Digits by hand: strftime and snprintf cost more than the rest of an
  // audit line.
  char buf[] = "0000-00-00T00:00:00.000Z";
  auto put = [&buf](int at, int width, int value) {
    for (int i = at + width - 1; i >= at; --i, value /= 10)
      buf[i] = static_cast<char>('0' + value % 10);
  };
  put(0, 4, utc.tm_year + 1900);
  put(5, 2, utc.tm_mon + 1);
  put(8, 2, utc.tm_mday);
  put(11, 2, utc.tm_hour);
  put(14, 2, utc.tm_min);
  put(17, 2, utc.tm_sec);
  put(20, 3, millis);
  out->append(buf, sizeof(buf) - 1);
}

std::string Rfc3339(std::chrono::system_clock::time_point time) {
  std::string out;
  AppendRfc3339(time, &out);
  return out;
}

void AppendJsonQuoted(std::string_view raw, std::string* out) {
  const auto plain = [](unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; };
  if (std::all_of(raw.begin(), raw.end(), plain)) {  // the usual case: nothing to escape
    out->push_back('"');
    out->append(raw);
    out->push_back('"');
    return;
  }
  const std::string replaced = IsValidUtf8(raw) ? std::string() : ReplaceInvalidUtf8(raw);
  const std::string_view s = replaced.empty() ? raw : replaced;
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        if (c < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof(esc), "\\u%04x", c);
          out->append(esc);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

std::string JsonQuote(std::string_view raw) {
  std::string out;
  AppendJsonQuoted(raw, &out);
  return out;
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  std::string line = "{\"time\":" + JsonQuote(Rfc3339(std::chrono::system_clock::now())) +
                     ",\"level\":" + JsonQuote(LevelName(level)) + ",\"msg\":" + JsonQuote(message);
  for (const LogField& field : fields) {
    line.append(",").append(JsonQuote(field.first)).append(":").append(JsonQuote(field.second));
  }
  line.append("}\n");
  // One write per line keeps concurrent lines whole.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

namespace {

void ProtobufLog(google::protobuf::LogLevel level, const char* file, int line,
                 const std::string& message) {
  const LogLevel ours = level == google::protobuf::LOGLEVEL_INFO      ? LogLevel::kInfo
                        : level == google::protobuf::LOGLEVEL_WARNING ? LogLevel::kWarning
                                                                      : LogLevel::kError;
  Log(ours, message, {{"source", "libprotobuf"}, {"file", file}, {"line", std::to_string(line)}});
}

void GrpcLog(gpr_log_func_args* args) {
  const LogLevel ours = args->severity == GPR_LOG_SEVERITY_ERROR   ? LogLevel::kError
                        : args->severity == GPR_LOG_SEVERITY_INFO  ? LogLevel::kInfo
                        : args->severity == GPR_LOG_SEVERITY_DEBUG ? LogLevel::kInfo
                                                                   : LogLevel::kWarning;
  Log(ours, args->message != nullptr ? args->message : "",
      {{"source", "grpc"},
       {"file", args->file != nullptr ? args->file : ""},
       {"line", std::to_string(args->line)}});
}

}  // namespace

void RouteLibraryLogs() {
  google::protobuf::SetLogHandler(&ProtobufLog);
  gpr_set_log_function(&GrpcLog);
}

}  // namespace agora_token
