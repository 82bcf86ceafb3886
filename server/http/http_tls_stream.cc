#include "server/http/http_tls_stream.h"

#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <utility>

#include "server/http/peer_certificate.h"

namespace agora_token {

namespace ssl = boost::asio::ssl;

class HttpTlsContext {
 public:
  ssl::context context{ssl::context::tls_server};
};

absl::StatusOr<std::shared_ptr<HttpTlsContext>> LoadHttpTlsContext(const TlsFiles& files) {
  auto tls = std::make_shared<HttpTlsContext>();
  ssl::context& context = tls->context;
  boost::beast::error_code ec;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context.use_certificate_chain_file(files.certificate_chain_path, ec);
  if (!ec) context.use_private_key_file(files.private_key_path, ssl::context::pem, ec);
  if (ec) return absl::InvalidArgumentError("config: tls: the HTTP port cannot load the key pair");
  if (!files.client_ca_path.empty()) {
    context.load_verify_file(files.client_ca_path, ec);
    if (ec) return absl::InvalidArgumentError("config: tls.client_ca_path: cannot load it");
    context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  // ALPN: only http/1.1 (Beast has no HTTP/2); a client offering h2 falls back.
  SSL_CTX_set_alpn_select_cb(
      context.native_handle(),
      [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
         unsigned int inlen, void*) -> int {
        static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        unsigned char* selected = nullptr;
        if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof kHttp11, in, inlen) !=
            OPENSSL_NPN_NEGOTIATED) {
          return SSL_TLSEXT_ERR_NOACK;
        }
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
      },
      nullptr);
  return tls;
}

namespace {

class TlsHttpStream final : public HttpStream {
 public:
  TlsHttpStream(boost::asio::ip::tcp::socket socket, std::shared_ptr<HttpTlsContext> context)
      : context_(std::move(context)), stream_(std::move(socket), context_->context) {}

  boost::beast::tcp_stream& tcp() override { return stream_.next_layer(); }
  bool tls() const override { return true; }

  void AsyncHandshake(DoneHandler handler) override {
    stream_.async_handshake(ssl::stream_base::server, std::move(handler));
  }

  // Set only when verified: the context requires and verifies client
  // certificates when tls.client_ca_path is set, and asks for none otherwise.
  std::optional<CertificateIdentity> PeerCertificate() override {
    std::optional<CertificateIdentity> identity;
    if (X509* certificate = SSL_get_peer_certificate(stream_.native_handle())) {
      if (SSL_get_verify_result(stream_.native_handle()) == X509_V_OK) {
        identity = IdentityOfCertificate(certificate);
      }
      X509_free(certificate);
    }
    return identity;
  }

  void Close(std::shared_ptr<void> owner) override {
    // close_notify, bounded: a peer that never reads must not hold us.
    tcp().expires_after(std::chrono::seconds(1));
    stream_.async_shutdown([this, owner = std::move(owner)](boost::beast::error_code) {
      boost::beast::error_code ignored;
      tcp().socket().close(ignored);
    });
  }

 protected:
  void ReadSome(boost::asio::mutable_buffer buffer, IoHandler handler) override {
    stream_.async_read_some(buffer, std::move(handler));
  }
  void WriteSome(const ConstBuffers& buffers, IoHandler handler) override {
    stream_.async_write_some(buffers, std::move(handler));
  }

 private:
  // The context outlives the connection even after a rotation replaced it.
  std::shared_ptr<HttpTlsContext> context_;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
};

}  // namespace

std::unique_ptr<HttpStream> MakeTlsHttpStream(boost::asio::ip::tcp::socket socket,
                                              std::shared_ptr<HttpTlsContext> context) {
  return std::make_unique<TlsHttpStream>(std::move(socket), std::move(context));
}

}  // namespace agora_token
