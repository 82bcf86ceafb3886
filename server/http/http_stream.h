// The connection an HTTP session reads requests from and writes responses
// to, plaintext TCP or TLS over it, behind one type. Beast's HTTP algorithms
// (async_read_header, async_read, async_write, ...) are templates over the
// stream and the completion handler: instantiated for each stream type and
// each handler type, they made http_server.cc take over two minutes to
// compile (gcc -O2 -g; nearly four under clang with ASan), in every build.
// Over HttpStream, with the session's handlers erased too
// (HttpStream::IoHandler), they are instantiated once, and each concrete
// stream's read and write once, in its own translation unit (http_stream.cc,
// http_tls_stream.cc). At run time that is one virtual call and one recycled
// handler allocation per operation; the bytes on the wire and the system
// calls are those of the concrete stream (Beast's tcp_stream and ssl_stream).
#ifndef AGORA_TOKEN_SERVER_HTTP_HTTP_STREAM_H_
#define AGORA_TOKEN_SERVER_HTTP_HTTP_STREAM_H_

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "server/callers.h"

namespace agora_token {

// A completion handler of any type, move-only, allocated from Asio's
// per-thread recycling allocator and released before it is invoked, as
// Asio's own operations are. It has no associated executor, so an operation
// completes on its I/O object's executor: for the HTTP session that is the
// connection's strand, as it was with the handlers it erases. (Asio 1.81's
// any_completion_handler cannot be used: its executor type does not support
// the blocking.never that post() asks for, which Beast's operations use.)
template <typename Signature>
class ErasedHandler;

template <typename... Args>
class ErasedHandler<void(Args...)> {
 public:
  template <typename Handler,
            typename = std::enable_if_t<!std::is_same_v<std::decay_t<Handler>, ErasedHandler>>>
  ErasedHandler(Handler&& handler) {  // NOLINT: implicit, as a completion handler converts
    using Held = Holder<std::decay_t<Handler>>;
    typename Held::Allocator allocator;
    Held* held = allocator.allocate(1);
    impl_ = new (held) Held(std::forward<Handler>(handler));
  }
  ErasedHandler(ErasedHandler&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)) {}
  ErasedHandler& operator=(ErasedHandler&& other) noexcept {
    if (this != &other) {
      if (impl_ != nullptr) impl_->Destroy();
      impl_ = std::exchange(other.impl_, nullptr);
    }
    return *this;
  }
  ErasedHandler(const ErasedHandler&) = delete;
  ErasedHandler& operator=(const ErasedHandler&) = delete;
  ~ErasedHandler() {
    if (impl_ != nullptr) impl_->Destroy();
  }

  void operator()(Args... args) { std::exchange(impl_, nullptr)->Invoke(std::move(args)...); }

 private:
  struct Base {
    virtual void Invoke(Args... args) = 0;  // frees the holder, then calls
    virtual void Destroy() = 0;             // frees the holder, no call
   protected:
    ~Base() = default;
  };
  template <typename Handler>
  struct Holder final : Base {
    using Allocator = boost::asio::recycling_allocator<Holder>;
    explicit Holder(Handler&& h) : handler(std::move(h)) {}
    explicit Holder(const Handler& h) : handler(h) {}
    void Invoke(Args... args) override {
      Handler local(std::move(handler));
      Destroy();
      std::move(local)(std::move(args)...);
    }
    void Destroy() override {
      this->~Holder();
      Allocator().deallocate(this, 1);
    }
    Handler handler;
  };
  Base* impl_;
};

class HttpStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using IoHandler = ErasedHandler<void(boost::beast::error_code, std::size_t)>;
  using DoneHandler = ErasedHandler<void(boost::beast::error_code)>;

  // The buffers of one write, as many as Asio hands one sendmsg() on Linux
  // (a longer sequence is written in more than one write, as Beast does
  // when the socket takes less than it was given).
  struct ConstBuffers {
    static constexpr std::size_t kMax = 64;
    std::array<boost::asio::const_buffer, kMax> items;
    std::size_t count = 0;
    const boost::asio::const_buffer* begin() const { return items.data(); }
    const boost::asio::const_buffer* end() const { return items.data() + count; }
  };

  virtual ~HttpStream() = default;

  // The TCP layer: its timeouts (expires_after) bound every operation, and
  // closing its socket ends the connection at once.
  virtual boost::beast::tcp_stream& tcp() = 0;
  virtual bool tls() const = 0;
  // TLS: the server handshake. Plaintext: not called.
  virtual void AsyncHandshake(DoneHandler handler) = 0;
  // The client certificate, once the handshake has verified it.
  virtual std::optional<CertificateIdentity> PeerCertificate() = 0;
  // Ends the connection. TLS sends close_notify, bounded to a second, and
  // keeps `owner` (the session) alive until then; plaintext shuts down and
  // closes at once.
  virtual void Close(std::shared_ptr<void> owner) = 0;

  // Beast's AsyncReadStream and AsyncWriteStream. A read fills the first
  // non-empty buffer (Beast's flat_buffer hands one), as the TLS stream does.
  executor_type get_executor() { return tcp().get_executor(); }

  template <typename MutableBufferSequence, typename ReadToken>
  BOOST_ASIO_INITFN_AUTO_RESULT_TYPE(ReadToken, void(boost::beast::error_code, std::size_t))
  async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    boost::asio::mutable_buffer first;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      first = boost::asio::mutable_buffer(*it);
      if (first.size() > 0) break;
    }
    return boost::asio::async_initiate<ReadToken, void(boost::beast::error_code, std::size_t)>(
        [this](IoHandler handler, boost::asio::mutable_buffer buffer) {
          ReadSome(buffer, std::move(handler));
        },
        token, first);
  }

  template <typename ConstBufferSequence, typename WriteToken>
  BOOST_ASIO_INITFN_AUTO_RESULT_TYPE(WriteToken, void(boost::beast::error_code, std::size_t))
  async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    ConstBuffers erased;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && erased.count < ConstBuffers::kMax;
         ++it) {
      erased.items[erased.count++] = boost::asio::const_buffer(*it);
    }
    return boost::asio::async_initiate<WriteToken, void(boost::beast::error_code, std::size_t)>(
        [this](IoHandler handler, const ConstBuffers& buffers) {
          WriteSome(buffers, std::move(handler));
        },
        token, erased);
  }

 protected:
  virtual void ReadSome(boost::asio::mutable_buffer buffer, IoHandler handler) = 0;
  virtual void WriteSome(const ConstBuffers& buffers, IoHandler handler) = 0;
};

// A plaintext connection.
std::unique_ptr<HttpStream> MakePlainHttpStream(boost::asio::ip::tcp::socket socket);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_HTTP_STREAM_H_
