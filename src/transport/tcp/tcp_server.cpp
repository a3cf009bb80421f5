#include "transport/tcp/tcp_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "transport/tcp/connection.hpp"
#include "transport/tcp/handshake.hpp"

namespace nc::detail {
namespace {

constexpr std::size_t kLogsPerWindow = 20;
constexpr std::chrono::seconds kLogWindow{10};

// A server may hold many connections: use every file descriptor the system allows.
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

bool is_loopback(const std::string& host) {
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(host, error);
  if (!error) return address.is_loopback();
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, "0", error);
  if (error || results.empty()) return false;
  for (const auto& entry : results) {
    if (!entry.endpoint().address().is_loopback()) return false;
  }
  return true;
}

// One accepted connection: a stranger until the handshake succeeds, then the engine's link
// to whatever registers on it (a node, or a --status request).
class TcpServerTransport::Peer final : public ServerLink,
                                       public std::enable_shared_from_this<Peer> {
 public:
  Peer(TcpServerTransport& transport, boost::asio::ip::tcp::socket socket)
      : transport_(transport),
        connection_(std::make_shared<TcpConnection>(std::move(socket), kHandshakeFrameLimit)),
        handshake_(transport.key_) {}

  void start() {
    auto self = shared_from_this();
    // Frames reach the peer through a weak reference: the connection keeps its frame callback
    // after it closes, and a strong one would make the two own each other forever: a socket
    // and a read buffer (4 KiB, up to 64 KiB if bulk data flowed) per connection ever
    // accepted. peers_ and the close callback keep it alive.
    std::weak_ptr<Peer> weak = self;
    connection_->start(
        [weak](Frame& frame) {
          if (auto peer = weak.lock()) peer->on_frame(frame);
        },
        [self](const std::string& why) { self->on_closed(why); });
    connection_->set_deadline(transport_.config_.handshake_timeout);
    handshake_.begin(*connection_);
  }

  void send(Message&& message) override { connection_->send(message); }
  void close(const std::string& reason) override {
    connection_->close_after_flush(reason, std::chrono::seconds(1));
  }
  [[nodiscard]] std::string address() const override { return connection_->peer(); }

  [[nodiscard]] bool stranger() const { return !ready_; }
  TcpConnection& connection() { return *connection_; }

 private:
  void on_frame(Frame& frame) {
    if (!ready_) {
      switch (handshake_.on_frame(*connection_, frame)) {
        case HandshakeOutcome::pending:
          return;
        case HandshakeOutcome::failed:
          refuse(handshake_.error());
          return;
        case HandshakeOutcome::ready:
          ready_ = true;
          --transport_.strangers_;
          connection_->set_max_frame(transport_.config_.max_frame_bytes);
          connection_->set_deadline(transport_.config_.handshake_timeout);  // register in time
          return;
      }
    }
    if (!is_message_kind(frame.header.kind))
      throw ProtocolError("a handshake frame after the handshake");
    Message message = decode_message(frame);
    if (!spoke_) {
      spoke_ = true;
      connection_->set_deadline(
          std::nullopt);  // from here the engine's heartbeat timeout watches it
    }
    transport_.runtime_.engine().on_message(shared_from_this(), std::move(message));
  }

  void refuse(const std::string& why) {
    transport_.log_refusal(connection_->peer(), why);
    refused_ = true;
    connection_->close_after_flush(why, std::chrono::milliseconds(200));
  }

  void on_closed(const std::string& why) {
    auto self = shared_from_this();
    if (ready_) {
      transport_.runtime_.engine().on_link_closed(self, why);
    } else {
      --transport_.strangers_;
      if (!refused_) transport_.log_refusal(connection_->peer(), why);
    }
    transport_.forget(self);
  }

  TcpServerTransport& transport_;
  std::shared_ptr<TcpConnection> connection_;
  ServerHandshake handshake_;
  bool ready_ = false;
  bool spoke_ = false;
  bool refused_ = false;
};

TcpServerTransport::TcpServerTransport(ServerRuntime& runtime, const Configuration& config,
                                       std::optional<Key> key)
    : runtime_(runtime),
      config_(config),
      key_(std::move(key)),
      acceptor_(runtime.io()),
      retry_accept_(runtime.io()),
      drain_deadline_(runtime.io()),
      tally_(runtime.io()) {
  raise_descriptor_limit();
  runtime.add_transport(*this);
}

TcpServerTransport::~TcpServerTransport() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

HostPort TcpServerTransport::listen(const HostPort& where) {
  boost::asio::ip::tcp::resolver resolver(runtime_.io());
  boost::system::error_code error;
  const auto results = resolver.resolve(where.host, std::to_string(where.port), error);
  if (error || results.empty()) {
    throw TransportError("cannot listen on " + to_string(where) + ": " +
                         (error ? error.message() : "no such address"));
  }
  const auto endpoint = results.begin()->endpoint();
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::ip::tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint, error);
  if (error) throw TransportError("cannot listen on " + to_string(where) + ": " + error.message());
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
  acceptor_.non_blocking(true);  // accept() takes what is waiting without ever blocking
  accept();
  const auto bound = acceptor_.local_endpoint();
  return HostPort{bound.address().to_string(), bound.port()};
}

void TcpServerTransport::accept() {
  acceptor_.async_accept(
      [this](const boost::system::error_code& error, boost::asio::ip::tcp::socket socket) {
        if (draining_ || error == boost::asio::error::operation_aborted) return;
        if (error) {
          // Out of descriptors, most likely: try again shortly instead of spinning.
          log_refusal("a new connection", error.message());
          retry_accept_.expires_after(std::chrono::milliseconds(100));
          retry_accept_.async_wait([this](const boost::system::error_code& e) {
            if (!e) accept();
          });
          return;
        }
        admit(std::move(socket));
        // A busy loop comes back here once per round of its handlers, and a round is long when
        // hundreds of nodes keep it busy: take every connection already waiting, not one per
        // round, or new nodes wait in the listen queue past their handshake deadline.
        for (std::size_t taken = 1; taken < kMaxStrangers && !draining_; ++taken) {
          boost::asio::ip::tcp::socket next(runtime_.io());
          boost::system::error_code none_waiting;
          acceptor_.accept(next, none_waiting);
          if (none_waiting) break;  // would_block; a real error comes back to async_accept
          admit(std::move(next));
        }
        accept();
      });
}

void TcpServerTransport::admit(boost::asio::ip::tcp::socket socket) {
  if (strangers_ >= kMaxStrangers) {
    log_refusal("a new connection", "too many connections in the handshake");
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  ++strangers_;
  auto peer = std::make_shared<Peer>(*this, std::move(socket));
  peers_.insert(peer);
  peer->start();
}

void TcpServerTransport::forget(const std::shared_ptr<Peer>& peer) {
  peers_.erase(peer);
  if (draining_ && peers_.empty() && drained_) {
    drain_deadline_.cancel();
    auto done = std::move(drained_);
    drained_ = nullptr;
    done();
  }
}

void TcpServerTransport::log_refusal(const std::string& peer, const std::string& why) {
  const auto now = std::chrono::steady_clock::now();
  if (now - log_window_ > kLogWindow) {
    log_unlogged();
    log_window_ = now;
    logged_in_window_ = 0;
  }
  if (logged_in_window_ < kLogsPerWindow) {
    ++logged_in_window_;
    spdlog::warn("refused {}: {}", peer, why);
  } else {
    // A burst followed by quiet is tallied when its window closes, not only when the next
    // stranger comes or the job ends: whoever watches the log sees the whole count soon.
    if (unlogged_.empty()) {
      tally_.expires_at(log_window_ + kLogWindow);
      tally_.async_wait([this](const boost::system::error_code& error) {
        if (!error) log_unlogged();
      });
    }
    ++unlogged_[why];
  }
}

void TcpServerTransport::log_unlogged() {
  if (unlogged_.empty()) return;
  std::size_t total = 0;
  std::string reasons;
  for (const auto& [why, count] : unlogged_) {
    total += count;
    reasons += (reasons.empty() ? "" : ", ") + why + ": " + std::to_string(count);
  }
  spdlog::warn("... and {} more connection(s) refused ({})", total, reasons);
  unlogged_.clear();
}

void TcpServerTransport::drain(std::function<void()> done) {
  draining_ = true;
  tally_.cancel();
  log_unlogged();
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_accept_.cancel();
  if (peers_.empty()) {
    done();
    return;
  }
  drained_ = std::move(done);
  for (const auto& peer : std::set<std::shared_ptr<Peer>>(peers_)) {
    peer->connection().close_after_flush("the job is over", std::chrono::seconds(1));
  }
  drain_deadline_.expires_after(std::chrono::seconds(2));
  drain_deadline_.async_wait([this](const boost::system::error_code& error) {
    if (error || !drained_) return;
    for (const auto& peer : std::set<std::shared_ptr<Peer>>(peers_))
      peer->connection().close("the job is over");
  });
}

}  // namespace nc::detail
