// The attempt table: results bound to the node and chunk an attempt was handed out for.
#include <catch2/catch.hpp>

#include "core/attempt_table.hpp"

using nc::detail::AttemptTable;

TEST_CASE("an attempt is taken once, by the node it was handed to", "[attempt_table]") {
  AttemptTable table;
  const nc::NodeID a{1};
  const nc::NodeID b{2};
  const auto id = table.issue(a, nc::ChunkID{7});
  CHECK(table.in_flight() == 1);
  CHECK(table.held_by(a) == 1);
  CHECK_FALSE(table.take(b, id));  // not b's
  const auto taken = table.take(a, id);
  REQUIRE(taken);
  CHECK(taken->chunk == nc::ChunkID{7});
  CHECK_FALSE(table.take(a, id));  // once
  CHECK(table.in_flight() == 0);
  CHECK(table.held_by(a) == 0);
}

TEST_CASE("an unknown attempt is told apart: answered already, or never this node's",
          "[attempt_table]") {
  AttemptTable table;
  const nc::NodeID a{1};
  const auto id = table.issue(a, std::nullopt);
  CHECK(table.classify(id) == AttemptTable::Unknown::foreign);  // still held by a
  REQUIRE(table.take(a, id));
  CHECK(table.classify(id) == AttemptTable::Unknown::answered);
  CHECK(table.classify(nc::AttemptID{0}) == AttemptTable::Unknown::foreign);
  CHECK(table.classify(nc::AttemptID{99}) == AttemptTable::Unknown::foreign);  // never issued
}

TEST_CASE("a lost node's attempts are late: out of flight, still answerable by it",
          "[attempt_table]") {
  AttemptTable table;
  const nc::NodeID a{1};
  const nc::NodeID b{2};
  const auto first = table.issue(a, nc::ChunkID{0});
  const auto second = table.issue(a, nc::ChunkID{1});
  table.issue(b, nc::ChunkID{2});
  CHECK(table.lose(a) == 2);
  CHECK(table.in_flight() == 1);
  CHECK(table.late() == 2);
  CHECK_FALSE(table.find(first));  // no longer in flight
  CHECK_FALSE(table.take(b, first));
  const auto late = table.take(a, second);
  REQUIRE(late);
  CHECK(late->chunk == nc::ChunkID{1});
  CHECK(table.late() == 1);
  CHECK(table.lose(a) == 0);  // nothing left in flight
}

TEST_CASE("late attempts are pruned when enough gathered and they cannot matter",
          "[attempt_table]") {
  AttemptTable table;
  for (std::uint64_t n = 1; n <= 2000; ++n) {
    table.issue(nc::NodeID{n}, nc::ChunkID{n});
    table.lose(nc::NodeID{n});
  }
  REQUIRE(table.late() == 2000);
  table.prune_late([](const AttemptTable::Attempt& a) { return a.chunk->value() % 2 == 0; });
  CHECK(table.late() == 1000);
  table.prune_late([](const AttemptTable::Attempt&) { return true; });  // too few since
  CHECK(table.late() == 1000);
}
