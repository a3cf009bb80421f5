// The MPI channel between real ranks: ordering, integrity, and messages split into pieces.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <thread>

#include "transport/mpi/mpi_channel.hpp"

namespace {

struct World {
  World() {
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
  }
  ~World() { MPI_Comm_free(&comm); }
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0;
  int size = 0;
};

nc::Bytes message_of(int rank, std::size_t index, std::size_t length) {
  nc::Bytes bytes(length);
  for (std::size_t i = 0; i < length; ++i)
    bytes[i] = static_cast<std::byte>((rank * 131 + index * 7 + i) & 0xff);
  return bytes;
}

// Rank 0 collects `per_rank` messages from every other rank and checks order and contents.
void exchange(World& world, std::size_t piece_bytes, std::size_t per_rank,
              std::size_t base_length) {
  nc::detail::MpiChannel channel(world.comm, piece_bytes);
  if (world.rank != 0) {
    for (std::size_t i = 0; i < per_rank; ++i)
      channel.send(0, message_of(world.rank, i, base_length + i * 97));
    while (channel.sends_pending())
      channel.progress_sends();
  } else {
    std::vector<std::size_t> next(static_cast<std::size_t>(world.size), 0);
    std::size_t received = 0;
    const std::size_t expected = per_rank * static_cast<std::size_t>(world.size - 1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (received < expected && std::chrono::steady_clock::now() < deadline) {
      received += channel.receive(
          MPI_ANY_SOURCE,
          [&](int from, nc::detail::ReceiveBuffer bytes) {
            const std::size_t index = next[static_cast<std::size_t>(from)]++;
            REQUIRE(std::ranges::equal(bytes, message_of(from, index, base_length + index * 97)));
          },
          16);
    }
    REQUIRE(received == expected);
  }
  MPI_Barrier(world.comm);
}

}  // namespace

TEST_CASE("the job has as many ranks as the launcher was asked for", "[mpi]") {
  World world;
  const char* expected = std::getenv("NC_EXPECTED_RANKS");
  REQUIRE(expected != nullptr);
  // A launcher of another MPI starts N separate one-rank jobs: this catches it.
  CHECK(world.size == std::atoi(expected));
}

TEST_CASE("every rank's messages reach rank 0 whole and in order", "[mpi]") {
  World world;
  exchange(world, std::size_t{1} << 30, 200, 1);
}

TEST_CASE("a message larger than a piece is split and put together again", "[mpi]") {
  World world;
  exchange(world, 1000, 20, 4096);  // 4 to 6 KiB each, in 1000-byte pieces
}

TEST_CASE("a message over 2 GiB crosses MPI's int count limit", "[mpi][large]") {
  World world;
  constexpr std::size_t kSize = (std::size_t{2} << 30) + 12345;  // 2 GiB and a bit
  nc::detail::MpiChannel channel(world.comm, std::size_t{1} << 30);
  if (world.rank == 1) {
    nc::Bytes big(kSize);
    for (std::size_t i = 0; i < kSize; i += 4096)
      big[i] = static_cast<std::byte>((i / 4096) & 0xff);
    big.back() = std::byte{0x5a};
    channel.send(0, std::move(big));
    while (channel.sends_pending())
      channel.progress_sends();
  } else if (world.rank == 0) {
    bool got = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!got && std::chrono::steady_clock::now() < deadline) {
      channel.receive(
          1,
          [&](int, nc::detail::ReceiveBuffer bytes) {
            REQUIRE(bytes.size() == kSize);
            bool same = true;
            for (std::size_t i = 0; i < kSize && same; i += 4096) {
              same = bytes[i] == static_cast<std::byte>((i / 4096) & 0xff);
            }
            CHECK(same);
            CHECK(bytes[kSize - 1] == std::byte{0x5a});
            got = true;
          },
          1);
    }
    REQUIRE(got);
  }
  MPI_Barrier(world.comm);
}
