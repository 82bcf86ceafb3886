#include "server/http/http_stream.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace agora_token {
namespace {

class PlainHttpStream final : public HttpStream {
 public:
  explicit PlainHttpStream(boost::asio::ip::tcp::socket socket) : stream_(std::move(socket)) {}

  boost::beast::tcp_stream& tcp() override { return stream_; }
  bool tls() const override { return false; }
  // Nothing to negotiate: completes (never inline, as Asio requires).
  void AsyncHandshake(DoneHandler handler) override {
    boost::asio::post(stream_.get_executor(), [handler = std::move(handler)]() mutable {
      std::move(handler)(boost::beast::error_code());
    });
  }
  std::optional<CertificateIdentity> PeerCertificate() override { return std::nullopt; }
  void Close(std::shared_ptr<void>) override {
    boost::beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

 protected:
  void ReadSome(boost::asio::mutable_buffer buffer, IoHandler handler) override {
    stream_.async_read_some(buffer, std::move(handler));
  }
  void WriteSome(const ConstBuffers& buffers, IoHandler handler) override {
    stream_.async_write_some(buffers, std::move(handler));
  }

 private:
  boost::beast::tcp_stream stream_;
};

}  // namespace

std::unique_ptr<HttpStream> MakePlainHttpStream(boost::asio::ip::tcp::socket socket) {
  return std::make_unique<PlainHttpStream>(std::move(socket));
}

}  // namespace agora_token
