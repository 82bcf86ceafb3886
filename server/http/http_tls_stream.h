// TLS for the HTTP port: the server context loaded from the TLS files (the
// ones the gRPC port serves) and a TLS connection over it, Asio's OpenSSL
// stream behind HttpStream. Everything that instantiates Asio's SSL stream
// is in http_tls_stream.cc, a translation unit of its own.
#ifndef AGORA_TOKEN_SERVER_HTTP_HTTP_TLS_STREAM_H_
#define AGORA_TOKEN_SERVER_HTTP_HTTP_TLS_STREAM_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/http/http_stream.h"
#include "server/server_config.h"

namespace agora_token {

// An OpenSSL server context: TLS 1.2 and later, the key pair, client
// certificates required and verified when `client_ca_path` is set, ALPN
// http/1.1. Connections keep the context they started with, so a rotation
// can replace it.
class HttpTlsContext;

absl::StatusOr<std::shared_ptr<HttpTlsContext>> LoadHttpTlsContext(const TlsFiles& files);

std::unique_ptr<HttpStream> MakeTlsHttpStream(boost::asio::ip::tcp::socket socket,
                                              std::shared_ptr<HttpTlsContext> context);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_HTTP_TLS_STREAM_H_
