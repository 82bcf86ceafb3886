#include "server/http/http_server.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/http/http_stream.h"
#include "server/http/http_tls_stream.h"
#include "server/log.h"

namespace agora_token {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// A session as the server sees it: something to close on a drain.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection unless a request is being served (then its
  // response says Connection: close).
  virtual void CloseIfIdle() = 0;
  // Closes the socket now; only once no I/O thread runs.
  virtual void CloseNow() = 0;
};

// The HTTP status and message for a request Beast refused to parse.
std::pair<int, const char*> RefusalOf(const beast::error_code& ec) {
  if (ec == http::error::body_limit) return {413, "the body is larger than the server accepts"};
  if (ec == http::error::header_limit) {
    return {431, "the request header is larger than the server accepts"};
  }
  if (ec == http::error::bad_content_length) {
    return {400, "bad Content-Length (duplicated, conflicting or with Transfer-Encoding)"};
  }
  if (ec == http::error::bad_transfer_encoding) {
    return {400, "bad Transfer-Encoding (it must end in chunked and come without Content-Length)"};
  }
  if (ec == http::error::bad_version) return {505, "only HTTP/1.0 and HTTP/1.1 are served"};
  return {400, "malformed HTTP request"};
}

// The status line and header of `response` followed by its body, as Beast's
// serializer writes an http::response<string_body> after prepare_payload:
// one buffer, so one send, with no serializer state per response.
void AppendResponse(const HttpResponse& response, bool keep_alive, std::string* out) {
  const beast::string_view reason =
      http::obsolete_reason(http::int_to_status(static_cast<unsigned>(response.status)));
  absl::StrAppend(out, "HTTP/1.1 ", response.status, " ",
                  absl::string_view(reason.data(), reason.size()), "\r\n");
  for (const auto& [name, value] : response.headers) {
    absl::StrAppend(out, name, ": ", value, "\r\n");
  }
  if (!keep_alive) out->append("Connection: close\r\n");
  absl::StrAppend(out, "Content-Length: ", response.body.size(), "\r\n\r\n", response.body);
}

std::string PeerOf(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const net::ip::address address = endpoint.address();
  return address.is_v4() ? absl::StrCat("ipv4:", address.to_string(), ":", endpoint.port())
                         : absl::StrCat("ipv6:[", address.to_string(), "]:", endpoint.port());
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, HttpApi* api)
      : options_(options), api_(api), acceptor_(net::make_strand(ioc_)) {}

  absl::Status Listen();
  void Run();
  void Drain(std::chrono::system_clock::time_point deadline);
  int port() const { return port_; }

  // Bookkeeping of sessions, for a drain.
  std::list<std::weak_ptr<SessionBase>>::iterator Register(std::weak_ptr<SessionBase> session) {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    return sessions_.insert(sessions_.end(), std::move(session));
  }
  void Unregister(std::list<std::weak_ptr<SessionBase>>::iterator it) {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    sessions_.erase(it);
    connections_.fetch_sub(1, std::memory_order_acq_rel);
  }

  // Taken under the lock, used (and perhaps released last) outside it: a
  // session's destructor unregisters under the same lock.
  std::vector<std::shared_ptr<SessionBase>> LiveSessions() {
    std::vector<std::shared_ptr<SessionBase>> live;
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    for (const std::weak_ptr<SessionBase>& weak : sessions_) {
      if (std::shared_ptr<SessionBase> session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
  }

  const HttpServerOptions& options() const { return options_; }
  std::string TlsStamp() const;
  void WatchTls();
  HttpApi& api() { return *api_; }
  bool draining() const { return draining_.load(std::memory_order_acquire); }

 private:
  void Accept();

  HttpServerOptions options_;
  HttpApi* api_;
  // Before ioc_: sessions destroyed with it unregister here.
  std::atomic<int> connections_{0};
  std::mutex sessions_mutex_;
  std::list<std::weak_ptr<SessionBase>> sessions_;
  net::io_context ioc_;
  // The TLS context new connections get; rebuilt when the files change
  // (WatchTls), so rotated certificates apply as on the gRPC port. Used on
  // the acceptor's strand only.
  std::shared_ptr<HttpTlsContext> tls_;
  std::string tls_stamp_;
  std::optional<net::steady_timer> tls_timer_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  std::atomic<bool> draining_{false};
  bool drained_ = false;
};

namespace {

// One connection: reads requests one after another (keep-alive), serves
// each through the HttpApi, and closes on an error, a timeout, a request
// that asks for it, or a drain. All its work runs on its own strand. Every
// read and write completes through one handler type (HttpStream::IoHandler)
// over one stream type, so each Beast algorithm is instantiated once.
class Session : public SessionBase, public std::enable_shared_from_this<Session> {
 public:
  using IoHandler = HttpStream::IoHandler;

  Session(HttpServer::Impl* server, std::string peer, std::unique_ptr<HttpStream> stream)
      : server_(server), peer_(std::move(peer)), stream_(std::move(stream)) {}
  ~Session() override {
    if (registered_) server_->Unregister(registration_);
  }

  void Start() {
    registration_ = server_->Register(this->weak_from_this());
    registered_ = true;
    net::dispatch(stream_->get_executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

  void CloseNow() override {
    beast::error_code ignored;
    Socket().socket().close(ignored);
  }

  void CloseIfIdle() override {
    net::post(stream_->get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) self->Close();
    });
  }

 private:
  beast::tcp_stream& Socket() { return stream_->tcp(); }

  void Begin() {
    if (!stream_->tls()) return ReadRequest(true);
    Socket().expires_after(server_->options().header_timeout);
    stream_->AsyncHandshake([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return self->Close();
      self->certificate_ = self->stream_->PeerCertificate();
      self->ReadRequest(true);
    });
  }

  void ReadRequest(bool first) {
    if (server_->draining()) return Close();
    idle_ = true;
    parser_.emplace();
    parser_->header_limit(server_->options().max_header_bytes);
    parser_->body_limit(server_->options().max_body_bytes);
    // A body that came with its header is parsed with it (OnHeader).
    parser_->eager(true);
    auto self = this->shared_from_this();
    if (first) {
      Socket().expires_after(server_->options().header_timeout);
      http::async_read_header(
          *stream_, buffer_, *parser_,
          IoHandler([self](beast::error_code ec, size_t) { self->OnHeader(ec); }));
      return;
    }
    // Kept alive: wait up to the idle timeout for the next request to
    // begin, then up to the header timeout for the rest of its header.
    Socket().expires_after(server_->options().idle_timeout);
    http::async_read_some(
        *stream_, buffer_, *parser_, IoHandler([self](beast::error_code ec, size_t) {
          if (ec || self->parser_->is_header_done()) return self->OnHeader(ec);
          self->Socket().expires_after(self->server_->options().header_timeout);
          http::async_read_header(
              *self->stream_, self->buffer_, *self->parser_,
              IoHandler([self](beast::error_code ec, size_t) { self->OnHeader(ec); }));
        }));
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    idle_ = false;
    const auto& header = parser_->get();
    if (header.version() != 10 && header.version() != 11) {
      return Refuse(505, "only HTTP/1.0 and HTTP/1.1 are served");
    }
    // RFC 9112: a repeated Content-Length, even with equal values, is not
    // trusted (request smuggling).
    if (header.count(http::field::content_length) > 1) {
      return Refuse(400, "duplicated Content-Length");
    }
    if (header.count(http::field::transfer_encoding) > 1) {
      return Refuse(400, "repeated Transfer-Encoding");
    }
    // A request body's length must be known: a Transfer-Encoding must end
    // in chunked (RFC 9112 6.3), or the rest of the stream is ambiguous.
    if (header.count(http::field::transfer_encoding) == 1 && !parser_->chunked()) {
      return Refuse(400, "Transfer-Encoding must end in chunked");
    }
    // Most requests arrive whole: no read for the body.
    if (parser_->is_done()) return OnRequest({});
    auto self = this->shared_from_this();
    auto read_body = [self] {
      self->Socket().expires_after(self->server_->options().body_timeout);
      http::async_read(*self->stream_, self->buffer_, *self->parser_,
                       IoHandler([self](beast::error_code ec, size_t) { self->OnRequest(ec); }));
    };
    if (beast::iequals(header[http::field::expect], "100-continue") && !parser_->is_done()) {
      auto proceed =
          std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(*stream_, *proceed,
                        IoHandler([self, proceed, read_body](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          read_body();
                        }));
      return;
    }
    read_body();
  }

  void OnReadError(beast::error_code ec) {
    // A client that went away or stayed silent gets no answer.
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::ssl::error::stream_truncated) {
      return Close();
    }
    const auto [status, message] = RefusalOf(ec);
    Refuse(status, message);
  }

  // Answers a request that cannot be served and closes the connection: its
  // framing can no longer be trusted.
  void Refuse(int status, std::string_view message) {
    HttpResponse response = JsonResponse(
        status,
        absl::StrCat("{\"code\":\"",
                     status == 413 || status == 431 ? "resource_exhausted" : "invalid_argument",
                     "\",\"message\":", JsonQuote(message), "}"));
    Write(std::move(response), false);
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> wire = parser_->release();
    HttpRequest request;
    request.method = std::string(wire.method_string());
    request.target = std::string(wire.target());
    request.headers.reserve(8);
    for (const auto& field : wire) {
      request.headers.emplace_back(absl::AsciiStrToLower(std::string(field.name_string())),
                                   std::string(field.value()));
    }
    request.body = std::move(wire.body());
    request.peer = peer_;
    request.certificate = certificate_;
    Write(server_->api().Handle(request), wire.keep_alive());
  }

  void Write(HttpResponse response, bool keep_alive) {
    idle_ = false;
    keep_alive = keep_alive && !server_->draining();
    // Reused from one response to the next (kept small between them).
    if (out_.capacity() > kMaxKeptBuffer) out_ = std::string();
    out_.clear();
    AppendResponse(response, keep_alive, &out_);
    Socket().expires_after(server_->options().body_timeout);
    net::async_write(*stream_, net::buffer(out_),
                     IoHandler([self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                       if (ec || !keep_alive) return self->Close();
                       self->ReadRequest(false);
                     }));
  }

  void Close() {
    idle_ = false;
    if (closed_) return;
    closed_ = true;
    stream_->Close(this->shared_from_this());
  }

  HttpServer::Impl* server_;
  std::string peer_;
  std::unique_ptr<HttpStream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  static constexpr size_t kMaxKeptBuffer = 64 * 1024;
  std::string out_;  // the response being written
  std::optional<CertificateIdentity> certificate_;
  bool idle_ = true;
  bool closed_ = false;
  bool registered_ = false;
  std::list<std::weak_ptr<SessionBase>>::iterator registration_;
};

}  // namespace

absl::Status HttpServer::Impl::Listen() {
  const std::string& address = options_.listen_address;
  const size_t colon = address.rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http-listen: want HOST:PORT, e.g. 127.0.0.1:8080, got ", address));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec || endpoints.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--http-listen: cannot resolve ", host));
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot serve HTTP on ", address));
  port_ = acceptor_.local_endpoint().port();

  if (options_.tls.has_value()) {
    absl::StatusOr<std::shared_ptr<HttpTlsContext>> tls = LoadHttpTlsContext(*options_.tls);
    if (!tls.ok()) return tls.status();
    tls_ = *std::move(tls);
    tls_stamp_ = TlsStamp();
  }
  return absl::OkStatus();
}

// Size, inode and mtime of each TLS file: a change means a rotation.
std::string HttpServer::Impl::TlsStamp() const {
  std::string stamp;
  for (const std::string* file : {&options_.tls->certificate_chain_path,
                                  &options_.tls->private_key_path,
                                  &options_.tls->client_ca_path}) {
    struct stat st {};
    if (file->empty() || ::stat(file->c_str(), &st) != 0) {
      stamp += "-;";
      continue;
    }
    absl::StrAppend(&stamp, st.st_ino, ":", st.st_size, ":", st.st_mtim.tv_sec, ".",
                    st.st_mtim.tv_nsec, ";");
  }
  return stamp;
}

// Every second, as gRPC re-reads its TLS files: changed files make a new
// context for new connections; a broken pair keeps the old one.
void HttpServer::Impl::WatchTls() {
  tls_timer_->expires_after(std::chrono::seconds(1));
  tls_timer_->async_wait([this](beast::error_code ec) {
    if (ec || draining()) return;
    const std::string stamp = TlsStamp();
    if (stamp != tls_stamp_) {
      absl::StatusOr<std::shared_ptr<HttpTlsContext>> tls = LoadHttpTlsContext(*options_.tls);
      if (tls.ok()) {
        tls_ = *std::move(tls);
        tls_stamp_ = stamp;
        Log(LogLevel::kInfo, "HTTP TLS files changed; new connections use them");
      } else {
        Log(LogLevel::kError, "HTTP TLS files changed but do not load; keeping the old ones",
            {{"error", std::string(tls.status().message())}});
        tls_stamp_ = stamp;  // logged once per change
      }
    }
    WatchTls();
  });
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      if (connections_.fetch_add(1, std::memory_order_acq_rel) >= options_.max_connections) {
        connections_.fetch_sub(1, std::memory_order_acq_rel);
        beast::error_code ignored;
        socket.close(ignored);  // over the limit: refused at once
      } else {
        socket.set_option(tcp::no_delay(true), ec);
        std::string peer = PeerOf(socket);
        std::unique_ptr<HttpStream> stream = tls_ != nullptr
                                                 ? MakeTlsHttpStream(std::move(socket), tls_)
                                                 : MakePlainHttpStream(std::move(socket));
        std::make_shared<Session>(this, std::move(peer), std::move(stream))->Start();
      }
    }
    Accept();
  });
}

void HttpServer::Impl::Run() {
  Accept();
  if (tls_ != nullptr) {
    tls_timer_.emplace(acceptor_.get_executor());
    WatchTls();
  }
  const int threads = options_.threads > 0
                          ? options_.threads
                          : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

void HttpServer::Impl::Drain(std::chrono::system_clock::time_point deadline) {
  if (drained_) return;
  drained_ = true;
  draining_.store(true, std::memory_order_release);
  // Closed on its strand, and waited for: no connection is accepted after.
  std::promise<void> closed;
  net::post(acceptor_.get_executor(), [this, &closed] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    closed.set_value();
  });
  closed.get_future().wait();
  if (tls_timer_.has_value()) {
    net::post(acceptor_.get_executor(), [this] { tls_timer_->cancel(); });
  }
  for (const std::shared_ptr<SessionBase>& session : LiveSessions()) session->CloseIfIdle();
  // Requests in progress finish and their connections close.
  while (connections_.load(std::memory_order_acquire) > 0 &&
         std::chrono::system_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ioc_.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  // What the deadline cut off: closed now, so clients see the end.
  for (const std::shared_ptr<SessionBase>& session : LiveSessions()) session->CloseNow();
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              HttpApi* api) {
  auto impl = std::make_unique<Impl>(options, api);
  if (absl::Status listening = impl->Listen(); !listening.ok()) return listening;
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { impl_->Drain(std::chrono::system_clock::now()); }
int HttpServer::port() const { return impl_->port(); }
void HttpServer::Drain(std::chrono::system_clock::time_point deadline) { impl_->Drain(deadline); }

}  // namespace agora_token
