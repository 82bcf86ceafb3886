// The keyring: which apps this server mints for, with their certificates.
// Loaded from a protobuf text file (proto/agora/token/v1/keyring.proto);
// each certificate is inline or in a file of its own. Build with the primary
// certificate, verify with the primary or the secondary: that is how Agora
// certificate rotation works. A loaded Keyring is immutable; KeyringStore
// swaps whole keyrings atomically, so every call sees one consistent set.
#ifndef AGORA_TOKEN_SERVER_KEYRING_H_
#define AGORA_TOKEN_SERVER_KEYRING_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "agora/token/v1/keyring.pb.h"
#include "core/token.h"
#include "server/snapshot_store.h"

namespace agora_token {

struct AppCertificates {
  AppKey primary;
  std::optional<AppKey> secondary;
};

class Keyring {
 public:
  // Parses and validates a keyring file. Errors name the bad field (e.g.
  // "apps[2].primary_certificate") and never contain a certificate.
  static absl::StatusOr<std::shared_ptr<const Keyring>> LoadFile(const std::string& path);

  // Certificate paths are resolved against `base_dir`.
  static absl::StatusOr<std::shared_ptr<const Keyring>> FromProto(
      const agora::token::v1::Keyring& proto, const std::string& base_dir);

  // nullptr when the app is not in the keyring.
  const AppCertificates* Find(std::string_view app_id) const;

  size_t size() const { return apps_.size(); }
  // The app id of a keyring that holds exactly one app; "" otherwise.
  std::string SoleAppId() const { return apps_.size() == 1 ? apps_.begin()->first : ""; }
  // True for a keyring marked as holding only public sample credentials.
  bool development() const { return development_; }
  // The files it was read from (the keyring file, certificate files), so a
  // watcher can tell when to reload.
  const std::vector<std::string>& source_files() const { return source_files_; }

 private:
  absl::flat_hash_map<std::string, AppCertificates> apps_;
  bool development_ = false;
  std::vector<std::string> source_files_;
};

// The keyring in force. Readers take a snapshot; a reload replaces it whole.
using KeyringStore = SnapshotStore<Keyring>;

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_KEYRING_H_
