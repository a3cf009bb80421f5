// The attacks that take work and never give it back: holding it, or dropping it again and again.
#include <limits>

#include "insider_attacks.hpp"

namespace nc::insider {
namespace {

constexpr std::uint32_t kEverything = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kDefaultDrops = 3;
// How long one hoard-and-drop round waits for tasks: a held request may wait for a while
// (a paused server, every chunk out); then it drops what it has, if anything.
constexpr auto kRoundLimit = std::chrono::seconds(10);

std::size_t tasks_in(const detail::Message& message) {
  const auto* tasks = std::get_if<detail::Tasks>(&message);
  return tasks == nullptr ? 0 : tasks->items.size();
}

}  // namespace

std::string hoard(const Target& target, const Options& options) {
  Session session(target);
  const Registration registration = session.register_as(insider_hello(options.threads), target.end);
  if (registration.outcome != Registration::Outcome::welcomed)
    return "not registered: " + registration.describe();
  session.ask_for_tasks(kEverything, target.end);
  std::uint64_t held = 0;
  std::string ended = "its time limit";
  while (auto message = session.next(target.end)) {
    if (auto why = ending(*message)) {
      ended = *why;
      break;
    }
    held += tasks_in(*message);
  }
  if (!session.open()) ended = "the server closed the connection: " + session.closed_because();
  return std::to_string(held) + " tasks held, none answered, ended by: " + ended;
}

std::string hoard_drop(const Target& target, const Options& options) {
  const std::uint64_t rounds = options.times == 0 ? kDefaultDrops : options.times;
  std::uint64_t dropped = 0;
  std::uint64_t round = 0;
  std::string ended = "its count";
  for (; round < rounds && ended == "its count"; ++round) {
    Session session(target);
    const Registration registration =
        session.register_as(insider_hello(options.threads), target.end);
    if (registration.outcome != Registration::Outcome::welcomed) {
      ended = "round " + std::to_string(round + 1) + " " + registration.describe();
      break;
    }
    session.ask_for_tasks(kEverything, target.end);
    const auto limit = std::min(target.end, Clock::now() + kRoundLimit);
    while (auto message = session.next(limit)) {
      if (auto why = ending(*message)) {
        ended = *why;
        break;
      }
      if (const std::size_t taken = tasks_in(*message); taken > 0) {
        dropped += taken;
        break;
      }
    }
    session.close();
  }
  return std::to_string(dropped) + " tasks taken and dropped in " + std::to_string(round) +
         " connection(s), ended by: " + ended;
}

}  // namespace nc::insider
