// A throwaway PKI for TLS tests, made with the openssl command line: a CA,
// a server certificate for localhost / 127.0.0.1, and client certificates
// with whatever identity a test needs (SPIFFE URI SAN, DNS SAN, CN only).
// Keys are EC P-256; everything lives in the test's temp directory.
#ifndef AGORA_TOKEN_TESTS_SERVER_TEST_PKI_H_
#define AGORA_TOKEN_TESTS_SERVER_TEST_PKI_H_

#include <string>

#include "absl/status/statusor.h"

namespace agora_token_server_test {

struct PemPair {
  std::string certificate_path;
  std::string private_key_path;
  std::string certificate;  // PEM contents
  std::string private_key;  // PEM contents
};

class TestPki {
 public:
  // Creates a CA named `name` in `dir`.
  static absl::StatusOr<TestPki> Create(const std::string& dir, const std::string& name);

  const std::string& ca_path() const { return ca_path_; }
  const std::string& ca() const { return ca_; }

  // A certificate signed by this CA. `subject_alt_names` is OpenSSL syntax
  // ("URI:spiffe://test/backend,DNS:backend.test") or empty for none.
  absl::StatusOr<PemPair> Issue(const std::string& file_stem, const std::string& common_name,
                                const std::string& subject_alt_names) const;

 private:
  std::string dir_;
  std::string name_;
  std::string ca_path_;
  std::string ca_key_path_;
  std::string ca_;
};

}  // namespace agora_token_server_test

#endif  // AGORA_TOKEN_TESTS_SERVER_TEST_PKI_H_
