#include "insider_link.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "node_crunch/configuration.hpp"
#include "node_crunch/error.hpp"

namespace nc::insider {
namespace {

// A connection to a server whose backlog is full waits for the kernel's retries: the deadline
// bounds it.
boost::asio::ip::tcp::socket connect_before(boost::asio::io_context& io,
                                            const detail::HostPort& server,
                                            Clock::time_point deadline) {
  const std::string name = detail::to_string(server);
  boost::asio::ip::tcp::socket socket(io);
  boost::asio::ip::tcp::resolver resolver(io);
  std::optional<boost::system::error_code> outcome;
  boost::asio::async_connect(
      socket, resolver.resolve(server.host, std::to_string(server.port)),
      [&outcome](const boost::system::error_code& error, const auto&) { outcome = error; });
  while (!outcome && Clock::now() < deadline && io.run_one_until(deadline) > 0) {
  }
  if (!outcome) {
    socket.close();
    io.restart();
    io.poll();  // the cancelled connect's handler, which refers to `outcome`
    throw TransportError("no connection to the server at " + name + " in time");
  }
  io.restart();
  if (*outcome)
    throw TransportError("cannot reach the server at " + name + ": " + outcome->message());
  return socket;
}

}  // namespace

InsiderLink::InsiderLink(const detail::HostPort& server, const std::optional<detail::Key>& key,
                         Clock::time_point deadline)
    : key_(key) {
  const std::string name = detail::to_string(server);
  auto socket = connect_before(io_, server, deadline);
  connection_ =
      std::make_shared<detail::TcpConnection>(std::move(socket), detail::kHandshakeFrameLimit);
  handshake_.emplace(key_, name);
  connection_->start(
      [this](detail::Frame& frame) {
        if (ready_) {
          inbox_.push_back(detail::decode(frame.payload));
          return;
        }
        switch (handshake_->on_frame(*connection_, frame)) {
          case detail::HandshakeOutcome::pending:
            return;
          case detail::HandshakeOutcome::failed:
            throw ProtocolError(handshake_->error());  // closes the connection, with why
          case detail::HandshakeOutcome::ready:
            ready_ = true;
            connection_->set_max_frame(Configuration{}.max_frame_bytes);
            return;
        }
      },
      [this](const std::string& why) { closed_because_ = why; });
  run_until([this] { return ready_; }, deadline);
  if (!ready_) {
    const std::string why = open() ? "no handshake in time" : closed_because_;
    close();
    throw TransportError("the handshake with " + name + " failed: " + why);
  }
}

InsiderLink::~InsiderLink() {
  close();
}

template <class Done>
void InsiderLink::run_until(Done done, Clock::time_point deadline) {
  while (!done() && connection_->open() && Clock::now() < deadline) {
    if (io_.run_one_until(deadline) == 0 && io_.stopped()) {
      io_.restart();
      if (!connection_->open()) break;
    }
  }
}

void InsiderLink::send(const detail::Message& message) {
  connection_->send(detail::encode_for_wire(message, connection_->framing()));
}

bool InsiderLink::flush(Clock::time_point deadline) {
  run_until([this] { return connection_->idle(); }, deadline);
  return open() && connection_->idle();
}

std::optional<detail::Message> InsiderLink::receive(Clock::time_point deadline) {
  run_until([this] { return !inbox_.empty(); }, deadline);
  if (inbox_.empty()) return std::nullopt;
  detail::Message message = std::move(inbox_.front());
  inbox_.pop_front();
  return message;
}

void InsiderLink::close() {
  if (connection_ && connection_->open()) connection_->close("the insider closed it");
  // Lets the cancelled reads and writes finish, so that nothing refers to this link afterwards.
  io_.restart();
  io_.poll();
}

}  // namespace nc::insider
