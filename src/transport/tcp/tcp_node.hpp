#pragma once
// A node's TCP side: connects (retrying with a doubling wait up to --retry-max), runs the
// handshake, and keeps one connection to the server for the whole job. If the connection
// drops, it connects again and comes back under its node id (or, to a server started again,
// as a new node); the engine then resends the results the server had not confirmed. It gives
// up once the server has been out of reach for --server-lost-timeout (or after
// --connect-attempts failed tries in a row, if set).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>

#include "core/node_runtime.hpp"
#include "transport/tcp/address.hpp"
#include "transport/tcp/handshake.hpp"
#include "transport/tcp/secret.hpp"
#include "transport/tcp/server_address.hpp"

namespace nc::detail {

class TcpNodeTransport final : public NodeTransport, public NodeLink {
 public:
  TcpNodeTransport(NodeRuntime& runtime, const Configuration& config, ServerAddress server,
                   std::optional<Key> key);
  ~TcpNodeTransport() override;

  void start() override;
  void drain(std::function<void()> done) override;

 private:
  [[nodiscard]] Framing framing() const override;
  void send_bytes(Outgoing&& out) override;
  void connect();
  void on_connected(boost::asio::ip::tcp::socket socket);
  void on_frame(Frame& frame);
  void on_closed(const std::string& why);
  void try_again(const std::string& why);

  NodeRuntime& runtime_;
  const Configuration& config_;
  ServerAddress where_;
  HostPort server_;
  std::string server_text_;
  std::optional<Key> key_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer retry_;
  std::shared_ptr<TcpConnection> connection_;
  std::optional<ClientHandshake> handshake_;
  bool ready_ = false;
  bool leaving_ = false;
  unsigned failures_ = 0;  // tries in a row that failed
  std::chrono::steady_clock::time_point out_of_reach_since_;
  std::chrono::steady_clock::time_point last_warned_{};
  std::function<void()> drained_;
};

}  // namespace nc::detail
