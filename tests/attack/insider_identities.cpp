// The attacks on registration itself: huge hellos, a crowd of short-lived nodes, a stolen id.
#include "insider_attacks.hpp"

namespace nc::insider {
namespace {

constexpr std::uint64_t kDefaultLongHellos = 10;
// A hello on loopback is answered in milliseconds, a 4 MiB one in well under a second.
constexpr auto kHelloLimit = std::chrono::seconds(30);

Clock::time_point hello_deadline(const Target& target) {
  return std::min(target.end, Clock::now() + kHelloLimit);
}

/// "3 welcomed, 7 rejected (why), 0 closed, 0 unanswered"
struct Tally {
  std::uint64_t welcomed = 0, rejected = 0, closed = 0, silent = 0;
  std::string last_reason;

  void add(const Registration& registration) {
    switch (registration.outcome) {
      case Registration::Outcome::welcomed:
        ++welcomed;
        return;
      case Registration::Outcome::rejected:
        ++rejected;
        break;
      case Registration::Outcome::closed:
        ++closed;
        break;
      case Registration::Outcome::silent:
        ++silent;
        break;
    }
    last_reason = registration.describe();
  }
  [[nodiscard]] std::string text() const {
    return std::to_string(welcomed) + " welcomed, " + std::to_string(rejected) + " rejected, " +
           std::to_string(closed) + " closed, " + std::to_string(silent) + " unanswered" +
           (last_reason.empty() ? "" : " (last: " + last_reason + ")");
  }
};

}  // namespace

std::string long_hello(const Target& target, const Options& options) {
  const std::uint64_t times = options.times == 0 ? kDefaultLongHellos : options.times;
  detail::Hello hello = insider_hello();
  hello.host.assign(options.host_bytes, 'x');
  Tally tally;
  for (std::uint64_t i = 0; i < times && Clock::now() < target.end; ++i) {
    Session session(target);
    tally.add(session.register_as(hello, hello_deadline(target)));
  }
  return std::to_string(options.host_bytes) + "-byte host names: " + tally.text();
}

std::string registrations(const Target& target, std::uint64_t count) {
  Tally tally;
  for (std::uint64_t i = 0; i < count && Clock::now() < target.end; ++i) {
    Session session(target);
    tally.add(session.register_as(insider_hello(), hello_deadline(target)));
  }
  return std::to_string(tally.welcomed + tally.rejected + tally.closed + tally.silent) + " of " +
         std::to_string(count) + " registrations: " + tally.text();
}

std::string steal_id(const Target& target, std::uint64_t id) {
  // An insider knows the server run (every node is told it) and its own token; it claims the
  // victim's id in that run with a token it makes up from its own.
  Session own(target);
  const Registration mine = own.register_as(insider_hello(), hello_deadline(target));
  Session session(target);
  detail::Hello hello = insider_hello();
  hello.previous = NodeID{id};
  hello.instance = mine.welcome.instance;
  hello.token = mine.welcome.token + 1;
  const Registration registration = session.register_as(hello, hello_deadline(target));
  // Says plainly whether the id was taken, for the test to read.
  const bool stolen = registration.outcome == Registration::Outcome::welcomed &&
                      registration.welcome.node == NodeID{id};
  return std::string(stolen ? "stole" : "did not get") + " node " + std::to_string(id) + ": " +
         registration.describe();
}

}  // namespace nc::insider
