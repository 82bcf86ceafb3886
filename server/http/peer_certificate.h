// The identity a verified client certificate proves, read with OpenSSL
// exactly as gRPC's transport reads it (server/caller_identity.cc): every
// SPIFFE URI SAN, the DNS SANs, the CN only when there are no SANs, and
// the fingerprint of the DER.
#ifndef AGORA_TOKEN_SERVER_HTTP_PEER_CERTIFICATE_H_
#define AGORA_TOKEN_SERVER_HTTP_PEER_CERTIFICATE_H_

#include <openssl/x509.h>

#include "server/callers.h"

namespace agora_token {

CertificateIdentity IdentityOfCertificate(X509* certificate);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_PEER_CERTIFICATE_H_
