#include "transport/tcp/tcp_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <iterator>
#include <string>

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

// One accepted connection: a stranger until it has passed the handshake and said what it wants
// (registered, or asked for the status), then the engine's link to it.
class TcpServerTransport::Peer final : public ServerLink,
                                       public std::enable_shared_from_this<Peer> {
 public:
  Peer(TcpServerTransport& transport, boost::asio::ip::tcp::socket socket)
      : transport_(transport),
        connection_(std::make_shared<TcpConnection>(std::move(socket), kHandshakeFrameLimit,
                                                    transport.budget_)),
        handshake_(transport.key_) {}

  void start(StrangerSlot slot) {
    slot_ = slot;
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
    connection_->set_queue_limit(queue_limit(transport_.config_));
    // One deadline for the handshake and the first message together; nothing moves it.
    connection_->set_deadline(transport_.config_.handshake_timeout);
    handshake_.begin(*connection_);
  }

  void close(const std::string& reason) override {
    connection_->close_after_flush(reason, std::chrono::seconds(1));
  }
  void registered() override {
    registered_ = true;
    connection_->set_max_frame(transport_.config_.max_frame_bytes);
  }
  [[nodiscard]] std::string address() const override { return connection_->peer(); }

  /// Closes a stranger to make room for a newer one.
  void push_out() {
    transport_.log_refusal(connection_->peer(),
                           "pushed out of the handshake by a newer connection (all " +
                               std::to_string(kMaxStrangers) + " handshake slots were taken)");
    refused_ = true;
    connection_->close("pushed out of the handshake");
    leave_slot();  // closing left it already; this only makes sure
  }
  TcpConnection& connection() { return *connection_; }

 private:
  [[nodiscard]] Framing framing() const override { return connection_->framing(); }
  void send_bytes(Outgoing&& out) override { connection_->send(std::move(out)); }

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
          connection_->set_max_frame(kRegistrationFrameLimit);
          return;
      }
    }
    if (!is_message_kind(frame.header.kind))
      throw ProtocolError("a handshake frame after the handshake");
    if (slot_) {
      // From here the engine's heartbeat timeout watches it, or the engine closes it.
      connection_->set_deadline(std::nullopt);
      leave_slot();
    }
    transport_.runtime_.engine().on_bytes(shared_from_this(), frame.payload);
  }

  void refuse(const std::string& why) {
    transport_.log_refusal(connection_->peer(), why);
    refused_ = true;
    // The reply the handshake queued goes out; nothing more is read; the deadline stays.
    connection_->close_after_flush(why, std::chrono::milliseconds(200));
  }

  void leave_slot() {
    if (!slot_) return;
    transport_.free_stranger_slot(*slot_);
    slot_.reset();
  }

  void on_closed(const std::string& why) {
    auto self = shared_from_this();
    const bool stranger = slot_.has_value();
    leave_slot();
    if (ready_) transport_.runtime_.engine().on_link_closed(self, why);
    if (stranger && !refused_ && !transport_.draining_) {
      transport_.log_refusal(connection_->peer(), why);
    } else if (!registered_ && connection_->overflowed()) {
      transport_.log_refusal(connection_->peer(), why);  // a registered node's loss says it
    }
    transport_.forget(self);
  }

  TcpServerTransport& transport_;
  std::shared_ptr<TcpConnection> connection_;
  ServerHandshake handshake_;
  std::optional<StrangerSlot> slot_;
  bool ready_ = false;       // the handshake is done
  bool registered_ = false;  // a node registered on it
  bool refused_ = false;     // logged already
};

std::uint64_t TcpServerTransport::receive_budget(const Configuration& config) {
  return std::max<std::uint64_t>(2 * std::uint64_t{config.max_frame_bytes},
                                 std::uint64_t{64} << 20);
}

std::uint64_t TcpServerTransport::queue_limit(const Configuration& config) {
  return std::max<std::uint64_t>(2 * std::uint64_t{config.max_frame_bytes}, std::uint64_t{8} << 20);
}

TcpServerTransport::TcpServerTransport(ServerRuntime& runtime, const Configuration& config,
                                       std::optional<Key> key)
    : runtime_(runtime),
      config_(config),
      key_(std::move(key)),
      acceptor_(runtime.io()),
      retry_accept_(runtime.io()),
      drain_deadline_(runtime.io()),
      tally_(runtime.io()) {
  budget_ = ReceiveBudget::make(receive_budget(config));
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
  // Holding every slot must not lock out a node or a --status that comes after: the newest
  // connection gets a slot, the one that has held its slot longest loses it. An attacker must
  // then outpace every honest handshake, not merely sit on the slots.
  while (strangers_.size() >= kMaxStrangers) {
    const auto oldest = strangers_.front().lock();
    if (!oldest) {
      strangers_.pop_front();
      continue;
    }
    oldest->push_out();  // frees its slot
  }
  auto peer = std::make_shared<Peer>(*this, std::move(socket));
  peers_.insert(peer);
  peer->start(take_stranger_slot(peer));
}

TcpServerTransport::StrangerSlot TcpServerTransport::take_stranger_slot(
    const std::shared_ptr<Peer>& peer) {
  strangers_.push_back(peer);
  return std::prev(strangers_.end());
}

void TcpServerTransport::free_stranger_slot(StrangerSlot slot) {
  strangers_.erase(slot);
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
