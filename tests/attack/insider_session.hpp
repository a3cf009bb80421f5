#pragma once
// A registered (or registering) insider: a link, the node id the server gave it and the
// heartbeats it owes, sent while it waits, so that the server never takes it for lost.
//
// Thread safety: one thread. Usage:
//   Session session(target);
//   const Registration reg = session.register_as(insider_hello(), deadline);
//   while (auto message = session.next(target.end)) ...

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "insider_link.hpp"

namespace nc::insider {

/// The server to attack, the secret to prove and when the insider must stop, whatever happens.
struct Target {
  detail::HostPort server;
  std::optional<detail::Key> key;
  Clock::time_point end;
};

/// How a hello was answered.
struct Registration {
  enum class Outcome { welcomed, rejected, closed, silent };
  Outcome outcome = Outcome::silent;
  detail::Welcome welcome;  // when welcomed
  std::string reason;       // when rejected or closed
  /// "welcomed as node 3 (new)", "rejected: ...", "closed: ...", "no answer".
  [[nodiscard]] std::string describe() const;
};

/// A hello like a mandel node's with `threads` worker threads, naming the insider as its host.
[[nodiscard]] detail::Hello insider_hello(std::uint32_t threads = 1);

class Session {
 public:
  /// Connects before `target.end` (or the connect deadline, if sooner); throws TransportError.
  explicit Session(const Target& target);

  /// Sends `hello` and waits for the server's answer until `deadline`.
  Registration register_as(const detail::Hello& hello, Clock::time_point deadline);
  /// The next message, heartbeating while it waits; nullopt at the deadline or when closed.
  std::optional<detail::Message> next(Clock::time_point deadline);
  /// Asks for the server's statistics and waits for them: the server has then handled all
  /// this session sent before. Other messages that arrive meanwhile are kept for next().
  bool barrier(Clock::time_point deadline);
  /// Asks for `count` tasks and, once the server has the request (barrier), says so on stdout
  /// ("insider: asked for 16 tasks"): a test may then release a paused server, certain that
  /// the request is among those it holds.
  void ask_for_tasks(std::uint32_t count, Clock::time_point deadline);

  void send(const detail::Message& message) { link_.send(message); }
  bool flush(Clock::time_point deadline) { return link_.flush(deadline); }
  void close() { link_.close(); }
  [[nodiscard]] bool open() const { return link_.open(); }
  [[nodiscard]] const std::string& closed_because() const { return link_.closed_because(); }

 private:
  /// A kept message first, else the link's next.
  std::optional<detail::Message> receive(Clock::time_point deadline);
  /// The link's next message, heartbeating while it waits; the kept ones are left alone.
  std::optional<detail::Message> from_link(Clock::time_point deadline);

  InsiderLink link_;
  std::deque<detail::Message> kept_;
  std::optional<Clock::duration> heartbeat_;  // known once welcomed
  Clock::time_point next_heartbeat_;
};

/// Why a message ends an insider's run, or nullopt if it does not (finish, abort, reject).
[[nodiscard]] std::optional<std::string> ending(const detail::Message& message);

}  // namespace nc::insider
