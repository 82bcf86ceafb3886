#include "tests/fleet/channel_attempts.h"

#include <grpc/grpc.h>
#include <grpc/support/alloc.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/str_cat.h"

namespace agora_token_fleet {
namespace {

// channelz renders int64 counters as JSON strings and leaves out zeros.
int64_t Counter(const nlohmann::json& data, const char* name) {
  if (!data.contains(name)) return 0;
  const nlohmann::json& value = data[name];
  if (value.is_string()) return std::strtoll(value.get<std::string>().c_str(), nullptr, 10);
  return value.is_number_integer() ? value.get<int64_t>() : 0;
}

// Takes ownership of a string returned by grpc_channelz_*.
nlohmann::json ParseChannelz(char* text) {
  if (text == nullptr) return nlohmann::json();
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  gpr_free(text);
  return parsed;
}

}  // namespace

AttemptCounts AttemptCounts::Since(const AttemptCounts& earlier) const {
  AttemptCounts delta;
  delta.calls_started = calls_started - earlier.calls_started;
  delta.calls_failed = calls_failed - earlier.calls_failed;
  delta.attempts_started = attempts_started - earlier.attempts_started;
  delta.attempts_failed = attempts_failed - earlier.attempts_failed;
  for (const auto& [address, attempts] : attempts_by_address) {
    const auto before = earlier.attempts_by_address.find(address);
    delta.attempts_by_address[address] =
        attempts - (before == earlier.attempts_by_address.end() ? 0 : before->second);
  }
  return delta;
}

absl::StatusOr<AttemptCounts> CountAttempts(const std::string& target) {
  std::vector<nlohmann::json> matches;
  intptr_t start = 0;
  for (;;) {
    const nlohmann::json page = ParseChannelz(grpc_channelz_get_top_channels(start));
    if (!page.is_object()) return absl::InternalError("unreadable channelz top channels");
    const nlohmann::json channels = page.value("channel", nlohmann::json::array());
    for (const nlohmann::json& channel : channels) {
      const nlohmann::json data = channel.value("data", nlohmann::json::object());
      if (data.value("target", "") == target) matches.push_back(channel);
      start = std::max<intptr_t>(
          start, static_cast<intptr_t>(
                     Counter(channel.value("ref", nlohmann::json::object()), "channelId")) +
                     1);
    }
    if (page.value("end", false) || channels.empty()) break;
  }
  if (matches.size() != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(matches.size(), " channels in channelz with target ", target));
  }
  const nlohmann::json& channel = matches[0];
  const nlohmann::json data = channel.value("data", nlohmann::json::object());
  AttemptCounts counts;
  counts.calls_started = Counter(data, "callsStarted");
  counts.calls_failed = Counter(data, "callsFailed");
  for (const nlohmann::json& ref : channel.value("subchannelRef", nlohmann::json::array())) {
    const intptr_t id = static_cast<intptr_t>(Counter(ref, "subchannelId"));
    const nlohmann::json subchannel = ParseChannelz(grpc_channelz_get_subchannel(id));
    if (!subchannel.is_object() || !subchannel.contains("subchannel")) {
      return absl::InternalError(absl::StrCat("unreadable channelz subchannel ", id));
    }
    const nlohmann::json sub_data =
        subchannel["subchannel"].value("data", nlohmann::json::object());
    const int64_t started = Counter(sub_data, "callsStarted");
    counts.attempts_started += started;
    counts.attempts_failed += Counter(sub_data, "callsFailed");
    std::string address = sub_data.value("target", std::to_string(id));
    if (address.rfind("ipv4:", 0) == 0) address.erase(0, 5);
    counts.attempts_by_address[address] += started;
  }
  return counts;
}

}  // namespace agora_token_fleet
