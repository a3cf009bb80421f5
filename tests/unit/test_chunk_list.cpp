#include <catch2/catch.hpp>
#include <node_crunch/chunk_list.hpp>
#include <node_crunch/error.hpp>

using namespace std::chrono_literals;
using nc::ChunkID;
using nc::ChunkState;
using nc::NodeID;

namespace {
const NodeID a{1}, b{2}, c{3};
}

TEST_CASE("chunks are handed out in order, each once, until none is free", "[chunk_list]") {
  nc::ChunkList list(3, {.max_attempts = 3, .max_copies = 1});
  CHECK(list.hand_out(a) == ChunkID{0});
  CHECK(list.hand_out(b) == ChunkID{1});
  CHECK(list.hand_out(a) == ChunkID{2});
  CHECK_FALSE(list.hand_out(c));
  CHECK(list.state(ChunkID{1}) == ChunkState::processing);
  CHECK(list.progress() == nc::JobProgress{3, 0, 0, 3});
}

TEST_CASE("the first result for a chunk wins and later ones are duplicates", "[chunk_list]") {
  nc::ChunkList list(2);
  const auto chunk = *list.hand_out(a);
  CHECK(list.complete(chunk, a));
  CHECK_FALSE(list.complete(chunk, a));
  CHECK_FALSE(list.complete(chunk, b));
  CHECK(list.state(chunk) == ChunkState::done);
  CHECK(list.progress().done == 1);
  CHECK_THROWS_WITH((void)list.complete(ChunkID{5}, a), Catch::Contains("no chunk 5"));
}

TEST_CASE("a lost node's chunks are handed out again before fresh ones", "[chunk_list]") {
  nc::ChunkList list(4, {.max_attempts = 3, .max_copies = 1});
  (void)list.hand_out(a);  // 0
  (void)list.hand_out(b);  // 1
  (void)list.hand_out(a);  // 2
  CHECK(list.nodes_lost({a}).empty());
  CHECK(list.state(ChunkID{0}) == ChunkState::free);
  CHECK(list.state(ChunkID{2}) == ChunkState::free);
  CHECK(list.state(ChunkID{1}) == ChunkState::processing);
  CHECK(list.hand_out(c) == ChunkID{0});
  CHECK(list.hand_out(c) == ChunkID{2});
  CHECK(list.hand_out(c) == ChunkID{3});
}

TEST_CASE("a late result from a lost node still completes its chunk", "[chunk_list]") {
  nc::ChunkList list(1, {.max_attempts = 3, .max_copies = 1});
  const auto chunk = *list.hand_out(a);
  list.nodes_lost({a});
  const auto again = *list.hand_out(b);
  CHECK(again == chunk);
  CHECK(list.complete(chunk, a));        // a's late result arrives first: it counts
  CHECK_FALSE(list.complete(chunk, b));  // b's is the duplicate
  CHECK(list.finished());
}

TEST_CASE("a chunk that took max_attempts nodes with it is failed, and a late result rescues it",
          "[chunk_list]") {
  nc::ChunkList list(2, {.max_attempts = 2, .max_copies = 1});
  const auto poison = *list.hand_out(a);
  (void)list.hand_out(b);
  CHECK(list.nodes_lost({a}).empty());
  CHECK(*list.hand_out(c) == poison);
  const auto failed = list.nodes_lost({c});
  REQUIRE(failed.size() == 1);
  CHECK(failed[0] == poison);
  CHECK(list.state(poison) == ChunkState::failed);
  CHECK(list.failed_chunks() == std::vector<ChunkID>{poison});
  CHECK_FALSE(list.hand_out(a));  // never handed out again
  CHECK(list.complete(ChunkID{1}, b));
  CHECK(list.finished());  // every chunk is done or failed
  CHECK(list.progress().failed == 1);
  CHECK(list.complete(poison, a));  // a result after all: accepted
  CHECK(list.progress().failed == 0);
  CHECK(list.progress().done == 2);
}

TEST_CASE("next() says Unfinished, Waiting and Finished", "[chunk_list]") {
  nc::ChunkList list(1);
  auto first = list.next(a, [](ChunkID id) { return id.value() * 10; });
  REQUIRE(first.is_unfinished());
  CHECK(first.task() == 0);
  CHECK(first.chunk() == ChunkID{0});
  CHECK(list.next(b, [](ChunkID id) { return id.value(); }).is_waiting());
  CHECK(list.complete(ChunkID{0}, a));
  CHECK(list.next(b, [](ChunkID id) { return id.value(); }).is_finished());
}

TEST_CASE("an idle node gets a copy of a straggler only once it is late", "[chunk_list]") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  nc::ChunkList list(3, {.max_attempts = 3, .max_copies = 2, .straggler_factor = 2.0});
  list.set_clock([&] { return now; });
  const auto slow = *list.hand_out(a);
  const auto quick = *list.hand_out(b);
  now += 100ms;
  CHECK(list.complete(quick, b));  // chunk time is about 100 ms now
  const auto last = *list.hand_out(b);
  CHECK_FALSE(list.hand_out(c));  // nothing is late yet
  now += 150ms;                   // slow has been out 250 ms > 2 x 100 ms; last only 150 ms
  CHECK(list.hand_out(c) == slow);
  CHECK_FALSE(list.hand_out(c));  // c already has it, and last is not late
  CHECK_FALSE(list.hand_out(a));  // a holds slow itself
  now += 100ms;
  CHECK_FALSE(list.hand_out(a));    // now last is late too, but a is late with slow itself
  CHECK(list.hand_out(c) == last);  // c is not: it gets the copy
  CHECK(list.complete(slow, c));    // the copy wins
  CHECK_FALSE(list.complete(slow, a));
  // A lost holder of a copied chunk does not free it while another still works on it.
  list.nodes_lost({b});
  CHECK(list.state(last) == ChunkState::processing);
  list.nodes_lost({c});
  CHECK(list.state(last) == ChunkState::free);
}

TEST_CASE("two nodes that sit on their chunks never take each other's copies", "[chunk_list]") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  nc::ChunkList list(4, {.max_attempts = 3, .max_copies = 2, .first_straggler_after = 1s});
  list.set_clock([&] { return now; });
  const auto first = *list.hand_out(a);  // a and b hoard: they never answer
  const auto second = *list.hand_out(b);
  const auto third = *list.hand_out(c);
  const auto fourth = *list.hand_out(c);
  CHECK(list.complete(third, c));
  CHECK(list.complete(fourth, c));
  now += 2s;  // both hoarded chunks are late
  CHECK_FALSE(list.hand_out(a));
  CHECK_FALSE(list.hand_out(b));
  const auto copy = list.hand_out(c);  // the honest node gets the copies, one after the other
  REQUIRE(copy);
  CHECK((*copy == first || *copy == second));
  CHECK(list.complete(*copy, c));
  const auto other = list.hand_out(c);
  REQUIRE(other);
  CHECK(*other != *copy);
  CHECK(list.complete(*other, c));
  CHECK(list.finished());
}

TEST_CASE("speculation can be switched off", "[chunk_list]") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  nc::ChunkList list(2, {.max_attempts = 3, .max_copies = 1});
  list.set_clock([&] { return now; });
  (void)list.hand_out(a);
  const auto quick = *list.hand_out(b);
  now += 10ms;
  CHECK(list.complete(quick, b));
  now += 10s;
  CHECK_FALSE(list.hand_out(b));
}

TEST_CASE("mark_done restores a chunk without a node, and policies are checked", "[chunk_list]") {
  nc::ChunkList list(2);
  list.mark_done(ChunkID{1});
  CHECK(list.hand_out(a) == ChunkID{0});
  CHECK_FALSE(list.hand_out(b));  // chunk 1 is done already
  CHECK(list.progress().done == 1);
  CHECK_THROWS_AS((nc::ChunkList(1, {.max_attempts = 0})), nc::Error);
  CHECK_THROWS_AS((nc::ChunkList(1, {.max_attempts = 1, .max_copies = 0})), nc::Error);
}

TEST_CASE("a million chunks cost a few bytes each and stay fast to hand out", "[chunk_list]") {
  nc::ChunkList list(1'000'000, {.max_attempts = 3, .max_copies = 1});
  std::uint64_t handed = 0;
  while (auto chunk = list.hand_out(NodeID{handed % 7 + 1})) {
    REQUIRE(list.complete(*chunk, NodeID{handed % 7 + 1}));
    ++handed;
  }
  CHECK(handed == 1'000'000);
  CHECK(list.finished());
}

TEST_CASE("before any result a chunk out past the first-straggler deadline is copied",
          "[chunk_list]") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  nc::ChunkList list(1, {.max_attempts = 3, .max_copies = 2, .first_straggler_after = 2s});
  list.set_clock([&] { return now; });
  const auto held = *list.hand_out(a);
  now += 1s;
  CHECK_FALSE(list.hand_out(b));  // no chunk time is known, and the deadline is not reached
  now += 1s;
  CHECK(list.hand_out(b) == held);
}

TEST_CASE("an uncounted release frees a chunk without costing it an attempt", "[chunk_list]") {
  nc::ChunkList list(1, {.max_attempts = 1, .max_copies = 1});
  const auto chunk = *list.hand_out(a);
  CHECK_FALSE(list.release(chunk, a, nc::ChunkList::Loss::uncounted));
  CHECK(list.state(chunk) == ChunkState::free);
  CHECK_FALSE(list.release(chunk, a, nc::ChunkList::Loss::counted));  // a holds it no more
  CHECK(*list.hand_out(b) == chunk);
  CHECK(list.release(chunk, b, nc::ChunkList::Loss::counted));  // max_attempts = 1
  CHECK(list.state(chunk) == ChunkState::failed);
}

TEST_CASE("a chunk lost uncounted very many times still fails in the end", "[chunk_list]") {
  nc::ChunkList list(1, {.max_attempts = 2, .max_copies = 1});
  const unsigned limit = nc::ChunkList::kUncountedLossFactor * 2;
  for (unsigned i = 1; i < limit; ++i) {
    const NodeID node{100 + i};
    const auto chunk = *list.hand_out(node);
    REQUIRE_FALSE(list.release(chunk, node, nc::ChunkList::Loss::uncounted));
  }
  const auto chunk = *list.hand_out(c);
  CHECK(list.release(chunk, c, nc::ChunkList::Loss::uncounted));
  CHECK(list.state(chunk) == ChunkState::failed);
}

TEST_CASE("a chunk a node failed goes to another node, not back to it", "[chunk_list]") {
  nc::ChunkList list(3, {.max_attempts = 3, .max_copies = 1});
  CHECK(list.hand_out(a) == ChunkID{0});
  CHECK(list.hand_out(b) == ChunkID{1});
  CHECK_FALSE(list.reject(ChunkID{0}, a));  // a's kernel threw on chunk 0: one attempt
  CHECK(list.hand_out(a) == ChunkID{2});    // a gets fresh work, not chunk 0 again
  CHECK_FALSE(list.hand_out(a));            // nothing else for a while b holds work
  CHECK(list.hand_out(b) == ChunkID{0});    // b takes chunk 0
  CHECK(list.complete(ChunkID{0}, b));
}

TEST_CASE("a node that fails every chunk costs each of them one attempt only", "[chunk_list]") {
  constexpr std::uint64_t kChunks = 50;
  nc::ChunkList list(kChunks, {.max_attempts = 2, .max_copies = 1});
  const auto honest_chunk = list.hand_out(b);  // b holds work throughout
  REQUIRE(honest_chunk);
  for (int round = 0; round < 1000; ++round) {
    const auto chunk = list.hand_out(a);
    if (!chunk) break;
    CHECK_FALSE(list.reject(*chunk, a));  // never the chunk's last attempt
  }
  CHECK(list.failed_chunks().empty());
  // b does them all, and the job ends with none failed.
  CHECK(list.complete(*honest_chunk, b));
  while (const auto chunk = list.hand_out(b))
    CHECK(list.complete(*chunk, b));
  CHECK(list.finished());
  CHECK(list.progress().failed == 0);
}

TEST_CASE("a node alone gets back the chunk it failed, so that the chunk can fail",
          "[chunk_list]") {
  nc::ChunkList list(1, {.max_attempts = 3, .max_copies = 1});
  for (int attempt = 1; attempt < 3; ++attempt) {
    REQUIRE(list.hand_out(a) == ChunkID{0});
    CHECK_FALSE(list.reject(ChunkID{0}, a));
  }
  REQUIRE(list.hand_out(a) == ChunkID{0});
  CHECK(list.reject(ChunkID{0}, a));  // its third attempt: failed
  CHECK(list.finished());
  CHECK(list.failed_chunks() == std::vector<ChunkID>{ChunkID{0}});
}

TEST_CASE(
    "a copy held by a node that never answers does not keep a failed chunk from the last "
    "node",
    "[chunk_list]") {
  nc::ChunkList list(2, {.max_attempts = 3, .max_copies = 2});
  CHECK(list.hand_out(a) == ChunkID{0});  // a sits on chunk 0 and never answers
  CHECK(list.hand_out(b) == ChunkID{1});
  CHECK_FALSE(list.reject(ChunkID{1}, b));  // one transient failure on b
  CHECK(list.complete(ChunkID{0}, c));      // another node's copy completes chunk 0
  // a still holds its copy of chunk 0, which is done: b, the only one left, gets chunk 1 back.
  CHECK(list.hand_out(b) == ChunkID{1});
}
