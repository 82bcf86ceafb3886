#include "cli/arguments.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace agora_token::cli {
namespace {

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags, std::string_view name) {
  auto it = std::find_if(flags.begin(), flags.end(),
                         [name](const FlagSpec& spec) { return spec.name == name; });
  return it == flags.end() ? nullptr : &*it;
}

}  // namespace

absl::StatusOr<uint32_t> ParseUint32(std::string_view text, std::string_view what) {
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(what), " needs a number"));
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(what), " must be a decimal number from 0 to 4294967295"));
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
    // Checked per digit, so even a long run of digits cannot wrap around.
    if (value > std::numeric_limits<uint32_t>::max()) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(what), " is out of range: the largest value is 4294967295"));
    }
  }
  return static_cast<uint32_t>(value);
}

absl::StatusOr<ParsedArguments> ParsedArguments::Parse(const std::vector<std::string>& args,
                                                       const std::vector<FlagSpec>& flags,
                                                       size_t max_positionals) {
  ParsedArguments parsed;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_ended || arg.empty() || arg[0] != '-' || arg == "-") {
      if (parsed.positionals_.size() >= max_positionals) {
        // The argument itself is not echoed: it may be a token or a secret.
        return absl::InvalidArgumentError(max_positionals == 0
                                              ? "unexpected argument: this command takes only flags"
                                              : "too many arguments");
      }
      parsed.positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      parsed.help_requested_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag '", arg, "' (flags are spelled --name)"));
    }
    std::string_view body = std::string_view(arg).substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = body.find('='); eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    const FlagSpec* spec = FindFlag(flags, body);
    if (spec == nullptr) {
      // Only the name: the value may be a secret given by mistake.
      return absl::InvalidArgumentError(absl::StrCat("unknown flag '--", std::string(body), "'"));
    }
    if (parsed.Has(body) && !spec->repeatable) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", std::string(body), " is given more than once"));
    }
    if (!spec->takes_value) {
      if (inline_value.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat("--", std::string(body), " takes no value"));
      }
      parsed.switches_.emplace(body);
      continue;
    }
    if (!inline_value.has_value()) {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) {
        return absl::InvalidArgumentError(absl::StrCat("--", std::string(body), " needs a value"));
      }
      inline_value = args[++i];
    }
    parsed.values_[std::string(body)].push_back(std::move(*inline_value));
  }
  return parsed;
}

bool ParsedArguments::Has(std::string_view flag) const {
  return values_.find(flag) != values_.end() || switches_.find(flag) != switches_.end();
}

std::optional<std::string> ParsedArguments::Value(std::string_view flag) const {
  auto it = values_.find(flag);
  if (it == values_.end()) return std::nullopt;
  return it->second.front();
}

std::vector<std::string> ParsedArguments::Values(std::string_view flag) const {
  auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

absl::StatusOr<std::optional<uint32_t>> ParsedArguments::Uint32(std::string_view flag) const {
  std::optional<std::string> text = Value(flag);
  if (!text.has_value()) return std::optional<uint32_t>();
  absl::StatusOr<uint32_t> value = ParseUint32(*text, absl::StrCat("--", std::string(flag)));
  if (!value.ok()) return value.status();
  return std::optional<uint32_t>(*value);
}

absl::StatusOr<uint32_t> ParsedArguments::Uint32Or(std::string_view flag, uint32_t fallback) const {
  absl::StatusOr<std::optional<uint32_t>> value = Uint32(flag);
  if (!value.ok()) return value.status();
  return value->value_or(fallback);
}

absl::StatusOr<std::optional<int32_t>> ParsedArguments::Int32(std::string_view flag) const {
  std::optional<std::string> text = Value(flag);
  if (!text.has_value()) return std::optional<int32_t>();
  const bool negative = !text->empty() && (*text)[0] == '-';
  absl::StatusOr<uint32_t> magnitude =
      ParseUint32(std::string_view(*text).substr(negative ? 1 : 0), "");
  // One bound for both signs keeps the message simple; -2147483648 is no
  // value any flag needs.
  if (!magnitude.ok() || *magnitude > static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", std::string(flag), " must be a decimal number from -2147483647 to 2147483647"));
  }
  const int32_t value = static_cast<int32_t>(*magnitude);
  return std::optional<int32_t>(negative ? -value : value);
}

std::vector<std::string> ParsedArguments::GivenAmong(
    const std::vector<std::string_view>& flags) const {
  std::vector<std::string> given;
  for (std::string_view flag : flags) {
    if (Has(flag)) given.push_back(absl::StrCat("--", std::string(flag)));
  }
  return given;
}

absl::Status AtMostOneOf(const ParsedArguments& args, const std::vector<std::string_view>& flags) {
  std::vector<std::string> given = args.GivenAmong(flags);
  if (given.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(absl::StrJoin(given, " and "), " cannot be used together"));
  }
  return absl::OkStatus();
}

}  // namespace agora_token::cli
