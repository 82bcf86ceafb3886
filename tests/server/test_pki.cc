#include "tests/server/test_pki.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace agora_token_server_test {
namespace {

absl::Status Run(const std::string& command) {
  // Quiet unless it fails; openssl's output names files, never key material.
  const std::string quiet = absl::StrCat(command, " >/dev/null 2>&1");
  if (std::system(quiet.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("failed: ", command));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

constexpr char kNewKey[] = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";

}  // namespace

absl::StatusOr<TestPki> TestPki::Create(const std::string& dir, const std::string& name) {
  TestPki pki;
  pki.dir_ = dir;
  pki.name_ = name;
  pki.ca_path_ = absl::StrCat(dir, "/", name, ".crt");
  pki.ca_key_path_ = absl::StrCat(dir, "/", name, ".key");
  absl::Status made = Run(absl::StrCat("openssl req -x509 ", kNewKey, " -keyout ", pki.ca_key_path_,
                                       " -out ", pki.ca_path_, " -days 2 -subj /CN=", name));
  if (!made.ok()) return made;
  absl::StatusOr<std::string> ca = Slurp(pki.ca_path_);
  if (!ca.ok()) return ca.status();
  pki.ca_ = *ca;
  return pki;
}

absl::StatusOr<PemPair> TestPki::Issue(const std::string& file_stem, const std::string& common_name,
                                       const std::string& subject_alt_names) const {
  const std::string base = absl::StrCat(dir_, "/", file_stem);
  PemPair pair;
  pair.certificate_path = base + ".crt";
  pair.private_key_path = base + ".key";
  const std::string extensions = base + ".ext";
  {
    std::ofstream ext(extensions);
    ext << "basicConstraints=CA:FALSE\n";
    if (!subject_alt_names.empty()) ext << "subjectAltName=" << subject_alt_names << "\n";
  }
  absl::Status made = Run(absl::StrCat("openssl req ", kNewKey, " -keyout ", pair.private_key_path,
                                       " -out ", base, ".csr -subj /CN=", common_name));
  if (made.ok()) {
    made = Run(absl::StrCat("openssl x509 -req -in ", base, ".csr -CA ", ca_path_, " -CAkey ",
                            ca_key_path_, " -CAcreateserial -days 2 -out ", pair.certificate_path,
                            " -extfile ", extensions));
  }
  if (!made.ok()) return made;
  absl::StatusOr<std::string> certificate = Slurp(pair.certificate_path);
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<std::string> key = Slurp(pair.private_key_path);
  if (!key.ok()) return key.status();
  pair.certificate = *certificate;
  pair.private_key = *key;
  return pair;
}

}  // namespace agora_token_server_test
