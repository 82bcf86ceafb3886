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

  const Sha256Digest& Get(std::string_view certificate, uint32_t issue_ts) {
    const bool hit = valid_ && issue_ts == issue_ts_ && certificate.size() == kCertificateSize &&
                     ConstantTimeEquals(certificate, {certificate_.data(), kCertificateSize});
    if (!hit) {
      key_ = HmacSha256(AsStringView(U32Bytes(issue_ts)), {certificate});
      issue_ts_ = issue_ts;
      // Only certificates of the usual size are remembered; others are rare
      // enough to hash every time.
      valid_ = certificate.size() == kCertificateSize;
      if (valid_) std::memcpy(certificate_.data(), certificate.data(), kCertificateSize);
    }
    return key_;
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
  const Sha256Digest& issue_key = cache.Get(app_certificate, issue_ts);
  Sha256Digest signing_key = HmacSha256(AsStringView(U32Bytes(salt)), {AsStringView(issue_key)});
  const Sha256Digest signature = HmacSha256(AsStringView(signing_key), {signing_info});
  SecureWipe(signing_key.data(), signing_key.size());  // a per-token key: not left on the stack
  return signature;
}

}  // namespace agora_token
