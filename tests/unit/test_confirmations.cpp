// Which results a node may forget: the first result of a chunk once its record is durable, any
// other once every record before it is, each node's in the order they arrived.
#include <catch2/catch.hpp>

#include "core/confirmations.hpp"
#include "core/first_result_filter.hpp"

using nc::NodeID;
using nc::detail::Confirmations;
using nc::detail::FirstResultFilter;

TEST_CASE("a chunk's first result is admitted once, dense and sparse numbers alike",
          "[first_result_filter]") {
  FirstResultFilter filter;
  CHECK(filter.first(nc::ChunkID{3}));
  CHECK_FALSE(filter.first(nc::ChunkID{3}));
  CHECK(filter.seen(nc::ChunkID{3}));
  CHECK_FALSE(filter.seen(nc::ChunkID{2}));
  CHECK(filter.first(nc::ChunkID{100000}));  // grows the bitmap
  CHECK(filter.seen(nc::ChunkID{3}));        // and keeps what it had
  const nc::ChunkID huge{std::uint64_t{1} << 40};
  CHECK_FALSE(filter.seen(huge));
  CHECK(filter.first(huge));
  CHECK_FALSE(filter.first(huge));
  CHECK(filter.seen(huge));
}

TEST_CASE("a result is confirmed once the record it needs is durable", "[confirmations]") {
  Confirmations confirm;
  const NodeID a{1};
  confirm.received(a, 1, 1);
  confirm.received(a, 2, 2);
  CHECK(confirm.confirmed(a) == 0);
  CHECK(confirm.durable(1) == std::vector<NodeID>{a});
  CHECK(confirm.confirmed(a) == 1);
  CHECK(confirm.durable(1).empty());  // nothing new
  CHECK(confirm.durable(2) == std::vector<NodeID>{a});
  CHECK(confirm.confirmed(a) == 2);
  CHECK_FALSE(confirm.waiting());
}

TEST_CASE("a result with no record of its own waits for the records made before it",
          "[confirmations]") {
  Confirmations confirm;
  const NodeID a{1};
  const NodeID b{2};
  confirm.received(a, 1, 1);  // a's result is record 1
  confirm.received(b, 1, 1);  // b's copy of the same chunk: a duplicate, behind record 1
  confirm.received(b, 2, 1);  // a refused one, behind it too
  CHECK(confirm.confirmed(b) == 0);
  const auto moved = confirm.durable(1);
  CHECK(moved == std::vector<NodeID>{a, b});
  CHECK(confirm.confirmed(a) == 1);
  CHECK(confirm.confirmed(b) == 2);
  confirm.received(b, 3, 1);  // everything it needs is durable already
  CHECK(confirm.confirmed(b) == 3);
}

TEST_CASE("a node's results are confirmed in order, never one past a result still waiting",
          "[confirmations]") {
  Confirmations confirm;
  const NodeID a{1};
  confirm.received(a, 1, 4);
  confirm.received(a, 2, 4);  // needs nothing newer
  confirm.received(a, 3, 6);
  CHECK(confirm.durable(5) == std::vector<NodeID>{a});
  CHECK(confirm.confirmed(a) == 2);  // 3 waits for record 6
  CHECK(confirm.waiting());
  CHECK(confirm.durable(6) == std::vector<NodeID>{a});
  CHECK(confirm.confirmed(a) == 3);
}

TEST_CASE("results sent again after a reconnection keep the count from going back",
          "[confirmations]") {
  Confirmations confirm;
  const NodeID a{1};
  confirm.received(a, 1, 1);
  confirm.received(a, 2, 2);
  CHECK(confirm.durable(1) == std::vector<NodeID>{a});
  // a reconnects: told 1 is confirmed, it sends 2 again, numbered 2 again, and a new 3.
  confirm.received(a, 2, 3);
  confirm.received(a, 3, 3);
  CHECK(confirm.durable(2) == std::vector<NodeID>{a});
  CHECK(confirm.confirmed(a) == 2);
  CHECK(confirm.durable(3) == std::vector<NodeID>{a});
  CHECK(confirm.confirmed(a) == 3);
}

TEST_CASE("a forgotten node's waiting results leave the others' confirmations intact",
          "[confirmations]") {
  Confirmations confirm;
  const NodeID gone{1};
  const NodeID kept{2};
  confirm.received(gone, 1, 1);
  confirm.received(kept, 1, 2);
  confirm.forget(gone);
  CHECK(confirm.confirmed(gone) == 0);
  CHECK(confirm.durable(2) == std::vector<NodeID>{kept});
  CHECK(confirm.confirmed(kept) == 1);
  CHECK_FALSE(confirm.waiting());
}
