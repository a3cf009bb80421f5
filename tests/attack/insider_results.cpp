// The attacks that answer with bad results: forged, relabelled, mis-sized, misnamed, failed.
#include <functional>

#include "insider_attacks.hpp"
#include "insider_picture.hpp"

namespace nc::insider {
namespace {

constexpr std::size_t kItemsPerMessage = 32;
constexpr std::uint64_t kDefaultForgeRounds = 10;

/// Registers like a mandel node; the reason it could not, or nullopt.
std::optional<std::string> join(Session& session, const Target& target, const Options& options,
                                std::optional<Picture>& picture) {
  const Registration registration = session.register_as(insider_hello(options.threads), target.end);
  if (registration.outcome != Registration::Outcome::welcomed)
    return "not registered: " + registration.describe();
  if (!registration.welcome.initial_data) return "welcomed without the initial data";
  picture.emplace(ByteSpan(*registration.welcome.initial_data), options.chunk_width,
                  options.chunk_height);
  return std::nullopt;
}

/// Why a session stopped short: the message that ended it, the closed link, or the time limit.
std::string stop_reason(Session& session) {
  if (auto message = session.next(Clock::now())) {
    if (auto why = ending(*message)) return *why;
  }
  if (!session.open()) return "the server closed the connection: " + session.closed_because();
  return "its time limit";
}

using Answer = std::function<void(Session&, const Picture&, const detail::TaskItem&)>;

/// Takes tasks, `options.batch` at a time, and answers each with `answer`; ends after
/// `options.times` tasks (0: when the job ends or the server shuts the insider out).
std::string answer_tasks(const Target& target, const Options& options, const std::string& what,
                         const Answer& answer) {
  Session session(target);
  std::optional<Picture> picture;
  if (auto refused = join(session, target, options, picture)) return *refused;
  session.ask_for_tasks(options.batch, target.end);
  std::uint64_t answered = 0;
  std::string ended = "its count";
  while (options.times == 0 || answered < options.times) {
    auto message = session.next(target.end);
    if (!message) {
      ended = stop_reason(session);
      break;
    }
    if (auto why = ending(*message)) {
      ended = *why;
      break;
    }
    if (const auto* tasks = std::get_if<detail::Tasks>(&*message)) {
      for (const auto& task : tasks->items) {
        answer(session, *picture, task);
        ++answered;
      }
    } else if (std::holds_alternative<detail::Welcome>(*message)) {
      session.send(detail::Request{options.batch});  // welcomed back: requests start afresh
    }
  }
  return std::to_string(answered) + " tasks " + what + ", ended by: " + ended;
}

/// A result for `task`, labelled `label` (in the item and in the payload) with `values` zeros,
/// asking for one task more.
void send_result(Session& session, const detail::TaskItem& task, ChunkID label,
                 std::size_t values) {
  detail::Results results;
  results.more = 1;
  results.items.push_back(
      detail::ResultItem{task.attempt, label, 1, Picture::zeros(label, values)});
  session.send(results);
}

}  // namespace

std::string forge_unknown(const Target& target, const Options& options) {
  Session session(target);
  std::optional<Picture> picture;
  if (auto refused = join(session, target, options, picture)) return *refused;
  // Attempt ids are sequential from a random start: one task of its own tells the forger
  // where they are, and it forges results for the ids all around it, the honest nodes' too.
  session.send(detail::Request{1});
  std::optional<AttemptID> own;
  while (!own) {
    auto message = session.next(target.end);
    if (!message) return "no task of its own, ended by: " + stop_reason(session);
    if (auto why = ending(*message)) return "no task of its own, ended by: " + *why;
    if (const auto* tasks = std::get_if<detail::Tasks>(&*message); tasks && !tasks->items.empty())
      own = tasks->items.front().attempt;
  }
  const std::uint64_t rounds = options.times == 0 ? kDefaultForgeRounds : options.times;
  const std::uint64_t span = 2 * picture->chunks();
  const std::uint64_t first = own->value() > span ? own->value() - span : 1;
  const std::uint64_t last = own->value() + span;
  std::uint64_t forged = 0;
  std::uint64_t round = 0;
  std::string ended = "its count";
  for (; round < rounds; ++round) {
    detail::Results results;
    for (std::uint64_t attempt = first; attempt <= last; ++attempt) {
      if (attempt == own->value()) continue;
      const ChunkID chunk{attempt % picture->chunks()};
      results.items.push_back(detail::ResultItem{AttemptID{attempt}, chunk, 1,
                                                 Picture::zeros(chunk, picture->area(chunk))});
      if (results.items.size() == kItemsPerMessage || attempt == last) {
        forged += results.items.size();
        session.send(results);
        results.items.clear();
      }
    }
    if (!session.barrier(target.end)) {
      ended = stop_reason(session);
      break;
    }
  }
  return std::to_string(forged) + " results forged for the attempts around its own (" +
         std::to_string(first) + ".." + std::to_string(last) + ") in " + std::to_string(round) +
         " round(s), ended by: " + ended;
}

std::string relabel(const Target& target, const Options& options) {
  return answer_tasks(target, options, "answered as another chunk",
                      [](Session& session, const Picture& picture, const detail::TaskItem& task) {
                        const ChunkID other{(chunk_of(task).value() + 1) % picture.chunks()};
                        send_result(session, task, other, picture.area(other));
                      });
}

std::string missized(const Target& target, const Options& options) {
  return answer_tasks(target, options, "answered with 3 values",
                      [](Session& session, const Picture&, const detail::TaskItem& task) {
                        send_result(session, task, chunk_of(task), 3);
                      });
}

std::string chunk_1e6(const Target& target, const Options& options) {
  return answer_tasks(target, options, "answered as chunk 1000000",
                      [](Session& session, const Picture& picture, const detail::TaskItem& task) {
                        send_result(session, task, ChunkID{1000000}, picture.area(chunk_of(task)));
                      });
}

std::string task_failed_flood(const Target& target, const Options& options) {
  return answer_tasks(
      target, options, "reported failed",
      [](Session& session, const Picture&, const detail::TaskItem& task) {
        for (int i = 0; i < 3; ++i)
          session.send(detail::TaskFailed{task.attempt, "insider: failed on purpose"});
        session.send(detail::TaskFailed{AttemptID{task.attempt.value() + 1000000},
                                        "insider: an attempt it never had"});
        session.send(detail::Request{1});
      });
}

std::string task_failed_initial(const Target& target, const Options& options) {
  Session session(target);
  std::optional<Picture> picture;
  if (auto refused = join(session, target, options, picture)) return *refused;
  session.send(detail::TaskFailed{AttemptID{0}, "insider: set_initial_data failed on purpose"});
  const bool answered = session.barrier(target.end);
  return std::string("a failed set_initial_data reported, ended by: ") +
         (answered ? "the server's statistics" : stop_reason(session));
}

}  // namespace nc::insider
