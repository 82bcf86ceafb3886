// Everything a call needs, in one immutable snapshot: the keyring, the
// caller directory with its policies, the audit log and the handler
// options. BuildServingState makes one from a ServerConfig; a reload builds
// a whole new one and swaps it into the ServingStateStore, or refuses and
// keeps the old one, so a call never sees the new keyring with the old
// callers. Each call reads the store once and uses that snapshot to its end.
// What outlives snapshots (rate-limit buckets, metrics) is not in here.
#ifndef AGORA_TOKEN_SERVER_SERVING_STATE_H_
#define AGORA_TOKEN_SERVER_SERVING_STATE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/token.h"
#include "server/audit_log.h"
#include "server/callers.h"
#include "server/keyring.h"
#include "server/metrics.h"
#include "server/server_config.h"
#include "server/snapshot_store.h"

namespace agora_token {

// How the handlers build: set by flags, the same in every snapshot.
struct HandlerOptions {
  TokenVersion default_version = TokenVersion::k007;
  Compression compression = Compression::kCompatible;
  size_t max_batch_items = 1000;
};

struct ServingState {
  ServerConfig config;  // its callers are the caller directory
  std::shared_ptr<const Keyring> keyring;
  std::shared_ptr<AuditLog> audit;  // AuditLog::Disabled() when none
  HandlerOptions options;

  const CallerDirectory& callers() const { return *config.callers; }

  // The files whose change triggers a reload: the config, the keyring with
  // its certificate files, and the trusted issuers' JWKS files.
  std::vector<std::string> WatchedFiles() const;
};

// Loads the keyring the config names and opens its audit log. An audit log
// of `previous` with the same destination is kept (and asked to reopen its
// file, as logrotate expects of a reload), so its queue and drop count go on.
absl::StatusOr<std::shared_ptr<const ServingState>> BuildServingState(ServerConfig config,
                                                                      const HandlerOptions& options,
                                                                      const ServingState* previous,
                                                                      Metrics* metrics);

using ServingStateStore = SnapshotStore<ServingState>;

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_SERVING_STATE_H_
