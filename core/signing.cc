#include "core/signing.h"

#include <array>

#include "core/byte_io.h"

namespace agora_token {
namespace {

// HMAC(u32(issue_ts), certificate) only changes when the second does, so
// each thread keeps the last one: a third of the 007 hashing while a second
// lasts. The entry is wiped when the thread exits.
class IssueKeyCache {
 public:
  ~IssueKeyCache() {
    SecureWipe(certificate_.data(), certificate_.size());
    SecureWipe(key_.data(), key_.size());
  }

  // The remembered HMAC(u32(issue_ts), certificate), or null.
  const Sha256Digest* Find(std::string_view certificate, uint32_t issue_ts) const {
    const bool hit = valid_ && issue_ts == issue_ts_ && certificate.size() == kCertificateSize &&
                     ConstantTimeEquals(certificate, {certificate_.data(), kCertificateSize});
    return hit ? &key_ : nullptr;
  }

  void Store(std::string_view certificate, uint32_t issue_ts, const Sha256Digest& key) {
    // Only certificates of the usual size are remembered; others are rare
    // enough to hash every time.
    valid_ = certificate.size() == kCertificateSize;
    if (!valid_) return;
    std::memcpy(certificate_.data(), certificate.data(), kCertificateSize);
    issue_ts_ = issue_ts;
    key_ = key;
  }

 private:
  static constexpr size_t kCertificateSize = 32;
  std::array<char, kCertificateSize> certificate_{};
  uint32_t issue_ts_ = 0;
  bool valid_ = false;
  Sha256Digest key_{};
};

}  // namespace

Sha256Digest Sign007(std::string_view app_certificate, uint32_t issue_ts, uint32_t salt,
                     std::string_view signing_info) {
  thread_local IssueKeyCache cache;
  const std::array<char, 4> salt_key = U32Bytes(salt);
  Sha256Digest signing_key;
  if (const Sha256Digest* cached = cache.Find(app_certificate, issue_ts)) {
    signing_key = HmacSha256(AsStringView(salt_key), {AsStringView(*cached)});
  } else {
    // Both inner HMACs at once: the salt key's pads beside the issue key's MAC.
    Sha256Digest issue_key;
    signing_key = HmacSha256Nested(AsStringView(salt_key), AsStringView(U32Bytes(issue_ts)),
                                   app_certificate, &issue_key);
    cache.Store(app_certificate, issue_ts, issue_key);
    SecureWipe(issue_key.data(), issue_key.size());
  }
  const Sha256Digest signature = HmacSha256(AsStringView(signing_key), {signing_info});
  SecureWipe(signing_key.data(), signing_key.size());  // a per-token key: not left on the stack
  return signature;
}

}  // namespace agora_token
