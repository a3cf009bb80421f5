#pragma once
// The server's TCP side: accepts nodes at any time, runs the handshake, and passes the
// messages of authenticated connections to the engine on the same event loop.
//
// What a stranger can cost: a socket, a 4 KiB read buffer and a timer until the handshake
// deadline, which nothing extends (garbage, a wrong magic or version, an oversized length, a
// wrong secret and silence all end the connection with one log line, rate-limited; a refusal
// gets one reply, and nothing the stranger sends after it is read); frames of at most 256 bytes
// before the handshake and 4 KiB until a node registers; at most `kMaxStrangers` connections in
// the handshake at once, and when they are all taken a new connection pushes out the oldest, so
// holding them buys nothing. After registration: frames up to --max-frame-bytes, all frames in
// flight together within one receive budget, and a queue limit for a peer that does not read.
// Honest nodes are served on the same loop without waiting for anyone.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "core/server_runtime.hpp"
#include "transport/tcp/address.hpp"
#include "transport/tcp/receive_budget.hpp"
#include "transport/tcp/secret.hpp"

namespace nc::detail {

class TcpServerTransport final : public ServerTransport {
 public:
  /// Connections in the handshake (or authenticated, but not yet said what they want) at once;
  /// one more pushes out the oldest.
  static constexpr std::size_t kMaxStrangers = 1024;
  /// Bytes all connections' frames still arriving may hold together: two of the largest, at
  /// least 64 MiB.
  [[nodiscard]] static std::uint64_t receive_budget(const Configuration& config);
  /// Bytes queued for one peer that it has not read, before it is closed: two of the largest
  /// frames, at least 8 MiB.
  [[nodiscard]] static std::uint64_t queue_limit(const Configuration& config);

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
  // Strangers, oldest first: the one pushed out when a new connection finds no slot free.
  using StrangerSlot = std::list<std::weak_ptr<Peer>>::iterator;
  StrangerSlot take_stranger_slot(const std::shared_ptr<Peer>& peer);
  void free_stranger_slot(StrangerSlot slot);
  void log_refusal(const std::string& peer, const std::string& why);

  ServerRuntime& runtime_;
  const Configuration& config_;
  std::optional<Key> key_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_accept_;
  std::set<std::shared_ptr<Peer>> peers_;
  std::list<std::weak_ptr<Peer>> strangers_;
  std::shared_ptr<ReceiveBudget> budget_;
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
