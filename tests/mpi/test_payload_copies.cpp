// The MPI path's copies of a payload (tests/unit/test_payload_copies.cpp has the other paths):
// the transports encode a message into the buffer MPI sends from and decode the buffer MPI
// received into, with the same calls as here. The budget is one copy, into the frame.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

#include "core/copy_count.hpp"
#include "core/message.hpp"
#include "transport/mpi/mpi_channel.hpp"

using namespace nc::detail;

namespace {

constexpr std::size_t kBig = std::size_t{1} << 20;

struct Comm {
  Comm() {
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
  }
  ~Comm() { MPI_Comm_free(&comm); }
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0;
  int size = 0;
};

nc::Bytes pattern(std::size_t size, unsigned seed) {
  nc::Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i)
    bytes[i] = static_cast<std::byte>((i * 7 + seed) & 0xff);
  return bytes;
}

/// Sends as MpiNodeTransport::send and RankLink::send do; returns the copies it made.
double send(MpiChannel& channel, int rank, const Message& message) {
  const double copies = copy_count::copies_of(kBig, [&] { channel.send(rank, encode(message)); });
  while (channel.sends_pending())
    channel.progress_sends();
  return copies;
}

/// Receives one message as the transports do; `copies` says how many copies decoding made.
Message receive(MpiChannel& channel, int source, double& copies) {
  std::optional<Message> got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!got && std::chrono::steady_clock::now() < deadline) {
    channel.receive(
        source,
        [&](int, ReceiveBuffer bytes) {
          copies = copy_count::copies_of(kBig, [&] { got = decode(bytes); });
        },
        1);
  }
  REQUIRE(got);
  return std::move(*got);
}

}  // namespace

TEST_CASE("over MPI a payload is copied into its frame and read where it arrived",
          "[mpi][copies]") {
  Comm world;
  if (world.size < 2) return;
  MpiChannel channel(world.comm, std::size_t{1} << 30);
  const Message tasks{Tasks{0, {TaskItem{nc::AttemptID{1}, std::nullopt, pattern(kBig, 1)}}}};
  const Message results{
      Results{1, {ResultItem{nc::AttemptID{1}, std::nullopt, 0, pattern(kBig, 2)}}}};
  if (world.rank == 0) {  // the server
    REQUIRE(send(channel, 1, tasks) == Approx(1).margin(0.01));
    double copies = -1;
    const Message got = receive(channel, 1, copies);
    CHECK(got == results);
    REQUIRE(copies == Approx(0).margin(0.01));
    CHECK(std::get<Results>(got).items.at(0).payload.is_view());
  } else if (world.rank == 1) {  // a node
    double copies = -1;
    const Message got = receive(channel, 0, copies);
    CHECK(got == tasks);
    REQUIRE(copies == Approx(0).margin(0.01));
    CHECK(std::get<Tasks>(got).items.at(0).payload.is_view());
    REQUIRE(send(channel, 0, results) == Approx(1).margin(0.01));
  }
  MPI_Barrier(world.comm);
}
