#include "transport/tcp/tcp_node.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <boost/asio/connect.hpp>

namespace nc::detail {

TcpNodeTransport::TcpNodeTransport(NodeRuntime& runtime, const Configuration& config,
                                   ServerAddress server, std::optional<Key> key)
    : runtime_(runtime),
      config_(config),
      where_(std::move(server)),
      server_text_(where_.describe()),
      key_(std::move(key)),
      resolver_(runtime.io()),
      retry_(runtime.io()),
      out_of_reach_since_(std::chrono::steady_clock::now()) {}

TcpNodeTransport::~TcpNodeTransport() {
  if (connection_) connection_->close("leaving");
}

void TcpNodeTransport::start() {
  connect();
}

void TcpNodeTransport::connect() {
  if (leaving_) return;
  try {
    server_ = where_.current();
  } catch (const std::exception& e) {
    try_again(e.what());
    return;
  }
  server_text_ = to_string(server_);
  resolver_.async_resolve(
      server_.host, std::to_string(server_.port),
      [this](const boost::system::error_code& error,
             const boost::asio::ip::tcp::resolver::results_type& results) {
        if (leaving_) return;
        if (error) {
          try_again(error.message());
          return;
        }
        auto socket = std::make_shared<boost::asio::ip::tcp::socket>(runtime_.io());
        boost::asio::async_connect(
            *socket, results,
            [this, socket](const boost::system::error_code& e, const auto& /*endpoint*/) {
              if (leaving_) return;
              if (e) {
                try_again(e.message());
                return;
              }
              on_connected(std::move(*socket));
            });
      });
}

void TcpNodeTransport::on_connected(boost::asio::ip::tcp::socket socket) {
  connection_ = std::make_shared<TcpConnection>(std::move(socket), kHandshakeFrameLimit);
  handshake_.emplace(key_, server_text_);
  ready_ = false;
  auto connection = connection_;
  connection_->start([this](Frame& frame) { on_frame(frame); },
                     [this, connection](const std::string& why) {
                       if (connection == connection_) on_closed(why);
                     });
  connection_->set_deadline(config_.handshake_timeout);
}

void TcpNodeTransport::on_frame(Frame& frame) {
  if (!ready_) {
    switch (handshake_->on_frame(*connection_, frame)) {
      case HandshakeOutcome::pending:
        return;
      case HandshakeOutcome::failed:
        if (handshake_->permanent()) {
          leaving_ = true;
          connection_->close(handshake_->error());
          runtime_.engine().give_up(handshake_->error());
        } else {
          connection_->close(handshake_->error());  // on_closed tries again
        }
        return;
      case HandshakeOutcome::ready:
        ready_ = true;
        failures_ = 0;
        connection_->set_deadline(std::nullopt);
        connection_->set_max_frame(config_.max_frame_bytes);
        spdlog::info("connected to {}", server_text_);
        runtime_.engine().connected(*this);
        return;
    }
  }
  if (!is_message_kind(frame.header.kind))
    throw ProtocolError("a handshake frame after the handshake");
  runtime_.engine().on_bytes(frame.payload);
}

Framing TcpNodeTransport::framing() const {
  return connection_ ? connection_->framing() : Framing{};
}

void TcpNodeTransport::send_bytes(Outgoing&& out) {
  if (ready_ && connection_) connection_->send(std::move(out));
}

void TcpNodeTransport::on_closed(const std::string& why) {
  const bool was_ready = ready_;
  ready_ = false;
  if (leaving_) {
    if (drained_) {
      auto done = std::move(drained_);
      drained_ = nullptr;
      done();
    }
    return;
  }
  if (was_ready) {
    runtime_.engine().disconnected();
    out_of_reach_since_ = std::chrono::steady_clock::now();
    spdlog::warn("lost the connection to {}: {}", server_text_, why);
  }
  if (!runtime_.engine().done()) try_again(why);
}

void TcpNodeTransport::try_again(const std::string& why) {
  using namespace std::chrono;
  ++failures_;
  const auto now = steady_clock::now();
  const auto gone = now - out_of_reach_since_;
  const double gone_s = duration<double>(gone).count();
  const double patience_s = duration<double>(config_.server_lost_timeout).count();
  if (gone >= config_.server_lost_timeout ||
      (config_.connect_attempts > 0 && failures_ >= config_.connect_attempts)) {
    leaving_ = true;
    const std::string limit =
        gone >= config_.server_lost_timeout
            ? fmt::format("for {:.0f} s (--server-lost-timeout {:.0f})", gone_s, patience_s)
            : fmt::format("in {} tries (--connect-attempts)", failures_);
    runtime_.engine().give_up(fmt::format("could not reach the server at {} {}; last: {}",
                                          where_.describe(), limit, why));
    return;
  }
  auto wait = config_.retry_initial;
  for (unsigned i = 1; i < failures_ && wait < config_.retry_max; ++i)
    wait *= 2;
  wait = std::min(wait, config_.retry_max);
  // The first tries each, then one line a minute: a node waiting for its server to be started
  // again says so without filling its log.
  constexpr unsigned kSaidEach = 5;
  if (failures_ <= kSaidEach || now - last_warned_ >= minutes(1)) {
    last_warned_ = now;
    spdlog::warn(
        "cannot reach the server at {} ({}); trying again in {:.1f} s, for {:.0f} s more "
        "(--server-lost-timeout)",
        where_.describe(), why, duration<double>(wait).count(), std::max(0.0, patience_s - gone_s));
  }
  retry_.expires_after(wait);
  retry_.async_wait([this](const boost::system::error_code& error) {
    if (!error) connect();
  });
}

void TcpNodeTransport::drain(std::function<void()> done) {
  leaving_ = true;
  retry_.cancel();
  resolver_.cancel();
  if (!connection_ || !connection_->open()) {
    done();
    return;
  }
  drained_ = std::move(done);
  connection_->close_after_flush("leaving", std::chrono::seconds(1));
}

}  // namespace nc::detail
