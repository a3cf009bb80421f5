// The receive budget bounds the memory of frames still arriving across connections: a frame
// that does not fit waits, first come first served, and takes its share only until it is whole.
// Frames before registration stay small enough to need none of it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/message.hpp"
#include "node_crunch/error.hpp"
#include "transport/tcp/frame.hpp"
#include "transport/tcp/handshake.hpp"
#include "transport/tcp/receive_budget.hpp"

using namespace nc::detail;

namespace {
nc::Bytes budget_test_frame(std::size_t payload_bytes) {
  nc::Bytes frame;
  put_frame_header(frame,
                   FrameHeader{static_cast<std::uint8_t>(MessageType::results), 0, payload_bytes});
  frame.resize(frame.size() + payload_bytes, std::byte{0x5a});
  return frame;
}
}  // namespace

TEST_CASE("a budget lends what it has and makes later askers wait in turn", "[tcp][budget]") {
  auto budget = ReceiveBudget::make(100);
  auto first = budget->try_take(60);
  REQUIRE(first);
  CHECK(budget->in_use() == 60);
  CHECK_FALSE(budget->try_take(50));

  std::vector<std::string> granted;
  std::vector<ReceiveBudget::Lease> held;
  budget->wait(50, [&](ReceiveBudget::Lease lease) {
    granted.push_back("fifty");
    held.push_back(std::move(lease));
  });
  budget->wait(10, [&](ReceiveBudget::Lease lease) {
    granted.push_back("ten");
    held.push_back(std::move(lease));
  });
  // Ten would fit, but fifty asked first: nobody overtakes it, and no one jumps the queue.
  CHECK(granted.empty());
  CHECK_FALSE(budget->try_take(1));

  first->reset();
  CHECK(granted == std::vector<std::string>{"fifty", "ten"});
  CHECK(budget->in_use() == 60);
  held.clear();
  CHECK(budget->in_use() == 0);
  CHECK(budget->waiting() == 0);
}

TEST_CASE("a waiter that goes does not hold the others up", "[tcp][budget]") {
  auto budget = ReceiveBudget::make(100);
  auto all = budget->try_take(100);
  bool small_granted = false;
  const auto big = budget->wait(100, [](ReceiveBudget::Lease) { FAIL("a cancelled wait ran"); });
  budget->wait(30, [&](ReceiveBudget::Lease) { small_granted = true; });
  budget->cancel(big);
  CHECK_FALSE(small_granted);
  all->reset();
  CHECK(small_granted);
  CHECK(budget->in_use() == 0);  // the lease was dropped by its waiter at once
}

TEST_CASE("a reader waits for room, then takes the rest of the stream", "[tcp][budget]") {
  auto budget = ReceiveBudget::make(3 * kSmallPayload);
  const auto big = budget_test_frame(2 * kSmallPayload);
  const auto small = budget_test_frame(100);
  nc::Bytes stream = small;
  stream.insert(stream.end(), big.begin(), big.end());

  auto blocker = budget->try_take(2 * kSmallPayload);
  REQUIRE(blocker);
  FrameReader reader(1 << 20, budget);
  // The small frame needs no room (the reader stops after it until it is taken); the big one's
  // header is taken, its payload waits.
  std::size_t taken = reader.feed(stream);
  CHECK(taken == small.size());
  auto frame = reader.next();
  REQUIRE(frame);
  CHECK(frame->payload.size() == 100);
  taken += reader.feed(nc::ByteSpan(stream).subspan(taken));
  CHECK(taken == small.size() + kFrameHeaderSize);
  CHECK(reader.waiting());
  CHECK(reader.direct().empty());
  CHECK_FALSE(reader.next());

  bool ready = false;
  reader.when_room([&] { ready = true; });
  CHECK_FALSE(ready);
  blocker->reset();
  CHECK(ready);
  CHECK_FALSE(reader.waiting());
  CHECK(budget->in_use() == 2 * kSmallPayload);  // the big frame's share, while it arrives

  CHECK(reader.feed(nc::ByteSpan(stream).subspan(taken)) == stream.size() - taken);
  frame = reader.next();
  REQUIRE(frame);
  CHECK(frame->payload.size() == 2 * kSmallPayload);
  CHECK(budget->in_use() == 0);  // a whole frame is no longer in flight
}

TEST_CASE("a reader that goes gives back its share and its place in the queue", "[tcp][budget]") {
  auto budget = ReceiveBudget::make(3 * kSmallPayload);
  const auto big = budget_test_frame(2 * kSmallPayload);
  {
    FrameReader holder(1 << 20, budget);
    holder.feed(nc::ByteSpan(big).first(kFrameHeaderSize + 10));  // cut short
    CHECK(budget->in_use() == 2 * kSmallPayload);
    {
      FrameReader waiter(1 << 20, budget);
      waiter.feed(big);
      CHECK(waiter.waiting());
      waiter.when_room([] { FAIL("a reader that went was called"); });
      CHECK(budget->waiting() == 1);
    }
    CHECK(budget->waiting() == 0);
  }
  CHECK(budget->in_use() == 0);
}

TEST_CASE("a frame larger than the whole budget is refused at its header", "[tcp][budget]") {
  auto budget = ReceiveBudget::make(2 * kSmallPayload);
  FrameReader reader(1 << 30, budget);
  CHECK_THROWS_WITH(reader.feed(budget_test_frame(3 * kSmallPayload)),
                    Catch::Contains("above the whole receive budget"));
  CHECK(budget->in_use() == 0);
}

TEST_CASE("the largest hello a server accepts fits the frame limit before registration",
          "[tcp][budget]") {
  // The engine refuses names above 255 bytes with a reason; a hello within them must arrive.
  Hello hello;
  hello.job = std::string(255, 'j');
  hello.host = std::string(255, 'h');
  hello.threads = 4096;
  const std::size_t sealed = encoded_size(Message(hello)) + kSealTagSize;
  CHECK(sealed <= kRegistrationFrameLimit);
  CHECK(kRegistrationFrameLimit <= kSmallPayload);  // and costs no part of the budget
  CHECK(encoded_size(Message(StatusRequest{})) + kSealTagSize <= kRegistrationFrameLimit);
}
