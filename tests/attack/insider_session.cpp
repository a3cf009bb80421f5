#include "insider_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace nc::insider {
namespace {
// A handshake on loopback takes microseconds; a server that needs longer is not answering.
constexpr auto kConnectLimit = std::chrono::seconds(10);
}  // namespace

std::string Registration::describe() const {
  switch (outcome) {
    case Outcome::welcomed:
      return "welcomed as node " + std::to_string(welcome.node.value()) +
             (welcome.fresh ? " (new)" : " (returning)");
    case Outcome::rejected:
      return "rejected: " + reason;
    case Outcome::closed:
      return "closed: " + reason;
    case Outcome::silent:
      break;
  }
  return "no answer";
}

detail::Hello insider_hello(std::uint32_t threads) {
  detail::Hello hello;
  hello.job = "mandel";
  hello.threads = threads;
  hello.host = "insider";
  hello.pid = static_cast<std::uint32_t>(getpid());
  return hello;
}

std::optional<std::string> ending(const detail::Message& message) {
  if (std::holds_alternative<detail::Finish>(message)) return "the job finished";
  if (const auto* abort = std::get_if<detail::Abort>(&message))
    return "the server ended the job: " + abort->reason;
  if (const auto* reject = std::get_if<detail::Reject>(&message))
    return "rejected: " + reject->reason;
  return std::nullopt;
}

Session::Session(const Target& target)
    : link_(target.server, target.key, std::min(target.end, Clock::now() + kConnectLimit)) {}

Registration Session::register_as(const detail::Hello& hello, Clock::time_point deadline) {
  send(hello);
  Registration registration;
  while (auto message = receive(deadline)) {
    if (auto* welcome = std::get_if<detail::Welcome>(&*message)) {
      registration.outcome = Registration::Outcome::welcomed;
      registration.welcome = std::move(*welcome);
      heartbeat_ =
          std::chrono::milliseconds(std::max<std::uint32_t>(registration.welcome.heartbeat_ms, 10));
      next_heartbeat_ = Clock::now() + *heartbeat_;
      return registration;
    }
    if (auto* reject = std::get_if<detail::Reject>(&*message)) {
      registration.outcome = Registration::Outcome::rejected;
      registration.reason = reject->reason;
      return registration;
    }
    if (const auto why = ending(*message)) {
      registration.outcome = Registration::Outcome::closed;
      registration.reason = *why;
      return registration;
    }
  }
  if (!open()) {
    registration.outcome = Registration::Outcome::closed;
    registration.reason = closed_because();
  }
  return registration;
}

std::optional<detail::Message> Session::receive(Clock::time_point deadline) {
  if (!kept_.empty()) {
    detail::Message message = std::move(kept_.front());
    kept_.pop_front();
    return message;
  }
  return link_.receive(deadline);
}

std::optional<detail::Message> Session::next(Clock::time_point deadline) {
  if (!kept_.empty()) return receive(deadline);
  return from_link(deadline);
}

std::optional<detail::Message> Session::from_link(Clock::time_point deadline) {
  while (true) {
    if (!heartbeat_) return link_.receive(deadline);
    if (Clock::now() >= next_heartbeat_) {
      send(detail::Heartbeat{});
      next_heartbeat_ = Clock::now() + *heartbeat_;
    }
    if (auto message = link_.receive(std::min(deadline, next_heartbeat_))) return message;
    if (!open() || Clock::now() >= deadline) return std::nullopt;
  }
}

bool Session::barrier(Clock::time_point deadline) {
  send(detail::StatusRequest{});
  // Only what arrives from now on: the messages kept before stay kept, in their order.
  while (auto message = from_link(deadline)) {
    if (std::holds_alternative<detail::StatusReply>(*message)) return true;
    const bool ends = ending(*message).has_value();
    kept_.push_back(std::move(*message));
    if (ends) return false;
  }
  return false;
}

void Session::ask_for_tasks(std::uint32_t count, Clock::time_point deadline) {
  send(detail::Request{count});
  if (!barrier(deadline)) return;  // what ended it waits in kept_ for next()
  std::printf("insider: asked for %u tasks\n", count);
  std::fflush(stdout);
}

}  // namespace nc::insider
