#include "cli/status_query.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>

#include "node_crunch/error.hpp"
#include "transport/tcp/connection.hpp"
#include "transport/tcp/handshake.hpp"

namespace nc::detail {

std::string fetch_status(const HostPort& server, const std::optional<Key>& key,
                         const Configuration& config) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code error;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::asio::connect(socket, resolver.resolve(server.host, std::to_string(server.port)), error);
  if (error)
    throw TransportError("cannot reach the server at " + to_string(server) + ": " +
                         error.message());

  auto connection = std::make_shared<TcpConnection>(std::move(socket), kHandshakeFrameLimit);
  ClientHandshake handshake(key, to_string(server));
  bool ready = false;
  std::optional<std::string> status;
  std::string failure;
  connection->start(
      [&](Frame& frame) {
        if (!ready) {
          const auto outcome = handshake.on_frame(*connection, frame);
          if (outcome == HandshakeOutcome::failed) throw ProtocolError(handshake.error());
          if (outcome == HandshakeOutcome::ready) {
            ready = true;
            connection->set_max_frame(config.max_frame_bytes);
            connection->send(encode_for_wire(StatusRequest{}, connection->framing()));
          }
          return;
        }
        Message message = decode(frame.payload);
        if (auto* reply = std::get_if<StatusReply>(&message)) {
          status = reply->json;
          connection->close("done");
        }
      },
      [&](const std::string& why) { failure = why; });
  connection->set_deadline(config.handshake_timeout);
  io.run();
  if (!status)
    throw TransportError("the server at " + to_string(server) + " gave no statistics: " + failure);
  return *status;
}

}  // namespace nc::detail
