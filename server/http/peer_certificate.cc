#include "server/http/peer_certificate.h"

#include <openssl/x509v3.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "core/crypto.h"

namespace agora_token {
namespace {

std::string AsString(const ASN1_STRING* value) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<size_t>(ASN1_STRING_length(value)));
}

}  // namespace

CertificateIdentity IdentityOfCertificate(X509* certificate) {
  CertificateIdentity identity;
  int san_count = 0;
  if (auto* names = static_cast<GENERAL_NAMES*>(
          X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr))) {
    san_count = sk_GENERAL_NAME_num(names);
    for (int i = 0; i < san_count; ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
      if (name->type == GEN_URI) {
        std::string uri = AsString(name->d.uniformResourceIdentifier);
        if (absl::StartsWithIgnoreCase(uri, "spiffe://")) identity.spiffe_ids.push_back(uri);
      } else if (name->type == GEN_DNS) {
        identity.dns_names.push_back(AsString(name->d.dNSName));
      }
    }
    GENERAL_NAMES_free(names);
  }
  // The CN counts only for a certificate with no SANs at all.
  if (san_count == 0) {
    X509_NAME* subject = X509_get_subject_name(certificate);
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index >= 0) {
      identity.common_name = AsString(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
    }
  }
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate, &der);
  if (length > 0) {
    const Sha256Digest digest =
        Sha256(std::string_view(reinterpret_cast<const char*>(der), static_cast<size_t>(length)));
    identity.fingerprint =
        absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest.data()), 8));
  }
  OPENSSL_free(der);
  return identity;
}

}  // namespace agora_token
