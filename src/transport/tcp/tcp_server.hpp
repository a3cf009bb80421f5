#pragma once
// The server's TCP side: accepts nodes at any time, runs the handshake, and passes the
// messages of authenticated connections to the engine on the same event loop.
//
// What a stranger can cost: a socket and a timer until the handshake deadline (garbage, a
// wrong magic or version, an oversized length, a wrong secret and silence all end the
// connection with one log line); no allocation beyond a 256-byte frame before the handshake;
// at most `kMaxStrangers` connections in the handshake at once. Honest nodes are served on
// the same loop without waiting for anyone.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "core/server_runtime.hpp"
#include "transport/tcp/address.hpp"
#include "transport/tcp/secret.hpp"

namespace nc::detail {

class TcpServerTransport final : public ServerTransport {
 public:
  /// Connections in the handshake at once; more are closed at once.
  static constexpr std::size_t kMaxStrangers = 1024;

  TcpServerTransport(ServerRuntime& runtime, const Configuration& config, std::optional<Key> key);
  ~TcpServerTransport() override;

  /// Binds and listens; returns the address bound (with the port chosen for port 0).
  HostPort listen(const HostPort& where);
  void drain(std::function<void()> done) override;

 private:
  class Peer;
  friend class Peer;
  void accept();
  void admit(boost::asio::ip::tcp::socket socket);
  void forget(const std::shared_ptr<Peer>& peer);
  void log_refusal(const std::string& peer, const std::string& why);

  ServerRuntime& runtime_;
  const Configuration& config_;
  std::optional<Key> key_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_accept_;
  std::set<std::shared_ptr<Peer>> peers_;
  std::size_t strangers_ = 0;
  bool draining_ = false;
  std::function<void()> drained_;
  boost::asio::steady_timer drain_deadline_;
  // Refusals are logged one by one up to a rate, then counted, so a flood cannot flood the log.
  void log_unlogged();
  std::chrono::steady_clock::time_point log_window_;
  std::size_t logged_in_window_ = 0;
  std::map<std::string, std::size_t> unlogged_;  // refusals not logged one by one, by reason
  boost::asio::steady_timer tally_;              // logs `unlogged_` when its window closes
};

/// True if `host` is a loopback address (or resolves only to loopback addresses).
bool is_loopback(const std::string& host);

}  // namespace nc::detail
