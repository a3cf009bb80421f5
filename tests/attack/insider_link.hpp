#pragma once
// One authenticated connection to a node_crunch TCP server, driven step by step: the library's
// own handshake, frames and codec, so that what the insider sends is what a registered node
// could send. Blocking calls, each with a deadline; nothing runs between them.
//
// Thread safety: one thread. Usage:
//   InsiderLink link(server, key, deadline);        // connected and past the handshake
//   link.send(Hello{...});
//   auto reply = link.receive(deadline);            // nullopt: nothing in time, or closed

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "core/message.hpp"
#include "transport/tcp/address.hpp"
#include "transport/tcp/connection.hpp"
#include "transport/tcp/handshake.hpp"
#include "transport/tcp/secret.hpp"

namespace nc::insider {

using Clock = std::chrono::steady_clock;

class InsiderLink {
 public:
  /// Connects and completes the handshake before `deadline`; throws TransportError if it cannot.
  InsiderLink(const detail::HostPort& server, const std::optional<detail::Key>& key,
              Clock::time_point deadline);
  ~InsiderLink();
  InsiderLink(const InsiderLink&) = delete;
  InsiderLink& operator=(const InsiderLink&) = delete;

  /// Queues `message`; it goes out while the link waits in receive() or flush().
  void send(const detail::Message& message);
  /// Writes what is queued; false if the deadline passed first or the link closed.
  bool flush(Clock::time_point deadline);
  /// The next message from the server; nullopt once the deadline passes or the link is closed.
  [[nodiscard]] std::optional<detail::Message> receive(Clock::time_point deadline);
  void close();

  [[nodiscard]] bool open() const { return connection_->open(); }
  /// Why the link closed (the server's doing or ours), once it has.
  [[nodiscard]] const std::string& closed_because() const { return closed_because_; }

 private:
  /// Runs the event loop until `done()` holds, the deadline passes or nothing is left to do.
  template <class Done>
  void run_until(Done done, Clock::time_point deadline);

  boost::asio::io_context io_;
  std::optional<detail::Key> key_;  // the handshake keeps a reference to it
  std::shared_ptr<detail::TcpConnection> connection_;
  std::optional<detail::ClientHandshake> handshake_;
  bool ready_ = false;
  std::deque<detail::Message> inbox_;
  std::string closed_because_;
};

}  // namespace nc::insider
