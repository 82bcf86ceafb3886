// Command-line parsing for the agora-token CLI. Each subcommand declares the
// flags it accepts; the parser turns argv into flag values and positional
// arguments, and rejects unknown, value-less and (unless declared repeatable)
// repeated flags. Hand-written rather than absl flags because absl flags are
// process-global, while the CLI runs in-process in tests and has subcommands
// with flags of their own.
// Every failure here is a usage error: the caller maps it to exit code 2.
#ifndef AGORA_TOKEN_CLI_ARGUMENTS_H_
#define AGORA_TOKEN_CLI_ARGUMENTS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace agora_token::cli {

// One flag a subcommand accepts, named without the leading "--".
struct FlagSpec {
  std::string_view name;
  bool takes_value = true;
  bool repeatable = false;  // a value flag that may be given several times
};

// The flags and positional arguments of one subcommand's command line.
class ParsedArguments {
 public:
  // Accepts `--flag value`, `--flag=value`, boolean `--flag`, and `--help`/
  // `-h` everywhere. In the `--flag value` form a value that starts with "--"
  // counts as a missing value (it is almost always a forgotten one); such a
  // value can still be given as `--flag=--value`. A lone "--" ends the flags.
  static absl::StatusOr<ParsedArguments> Parse(const std::vector<std::string>& args,
                                               const std::vector<FlagSpec>& flags,
                                               size_t max_positionals);

  bool help_requested() const { return help_requested_; }
  const std::vector<std::string>& positionals() const { return positionals_; }

  // True if the flag was given, with or without a value.
  bool Has(std::string_view flag) const;
  // The value of a flag given once (the first of a repeatable one).
  std::optional<std::string> Value(std::string_view flag) const;
  // Every value of a repeatable flag, in command-line order.
  std::vector<std::string> Values(std::string_view flag) const;

  // The flag's value as a decimal uint32: digits only, no sign, no
  // whitespace, and nothing above 4294967295 (never truncated). nullopt when
  // the flag was not given.
  absl::StatusOr<std::optional<uint32_t>> Uint32(std::string_view flag) const;
  // The same, with `fallback` when the flag was not given.
  absl::StatusOr<uint32_t> Uint32Or(std::string_view flag, uint32_t fallback) const;
  // A decimal int32 with an optional leading "-", otherwise as Uint32.
  absl::StatusOr<std::optional<int32_t>> Int32(std::string_view flag) const;

  // Those of `flags` that were given, as "--name", in the order of `flags`.
  std::vector<std::string> GivenAmong(const std::vector<std::string_view>& flags) const;

 private:
  bool help_requested_ = false;
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::set<std::string, std::less<>> switches_;
  std::vector<std::string> positionals_;
};

// Parses a whole decimal uint32 (see ParsedArguments::Uint32). `what` names
// the input in the error, e.g. "--uid".
absl::StatusOr<uint32_t> ParseUint32(std::string_view text, std::string_view what);

// Fails unless at most one of `flags` was given.
absl::Status AtMostOneOf(const ParsedArguments& args, const std::vector<std::string_view>& flags);

}  // namespace agora_token::cli

#endif  // AGORA_TOKEN_CLI_ARGUMENTS_H_
