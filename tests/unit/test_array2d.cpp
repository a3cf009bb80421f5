#include <catch2/catch.hpp>
#include <node_crunch/array2d.hpp>
#include <node_crunch/serialization.hpp>

namespace {
// Looks like an Array2D on the wire, but claims a size its data does not have.
struct Forged {
  std::size_t width = 100, height = 100;
  std::vector<double> data{1.0};
  template <class A>
  void serialize(A& a, unsigned) {
    a& width& height& data;
  }
};
}  // namespace

TEST_CASE("Array2D stores values row by row and checks every index", "[array2d]") {
  nc::Array2D<int> grid(4, 3, -1);
  CHECK(grid.width() == 4);
  CHECK(grid.height() == 3);
  CHECK(grid.size() == 12);
  CHECK(grid.get(3, 2) == -1);
  grid.set(1, 2, 7);
  CHECK(grid.get(1, 2) == 7);
  CHECK(grid.row(2)[1] == 7);
  CHECK(grid.data()[2 * 4 + 1] == 7);
  CHECK_THROWS_WITH(grid.get(4, 0), Catch::Contains("(4, 0) is outside the 4x3 grid"));
  CHECK_THROWS_AS(grid.set(0, 3, 1), nc::Error);
  CHECK_THROWS_AS(grid.row(3), nc::Error);
}

TEST_CASE("Array2D copies regions in and out and refuses ones that do not fit", "[array2d]") {
  nc::Array2D<int> grid(5, 4);
  const std::vector<int> block{1, 2, 3, 4, 5, 6};
  grid.set_region(2, 1, 3, 2, block);
  CHECK(grid.get(2, 1) == 1);
  CHECK(grid.get(4, 1) == 3);
  CHECK(grid.get(2, 2) == 4);
  CHECK(grid.get(4, 2) == 6);
  CHECK(grid.get(1, 1) == 0);
  CHECK(grid.region(2, 1, 3, 2) == block);
  CHECK_THROWS_WITH(grid.set_region(3, 1, 3, 2, block), Catch::Contains("outside"));
  CHECK_THROWS_WITH(grid.set_region(0, 0, 2, 2, block),
                    Catch::Contains("6 values for a 2x2 region"));
  CHECK_THROWS_AS(grid.region(0, 3, 1, 2), nc::Error);
}

TEST_CASE("Array2D survives serialisation and rejects a size that does not match its data",
          "[array2d]") {
  nc::Array2D<double> grid(3, 2);
  grid.set(2, 1, 3.5);
  const auto copy = nc::from_bytes<nc::Array2D<double>>(nc::to_bytes(grid));
  CHECK(copy == grid);

  CHECK_THROWS_AS(nc::from_bytes<nc::Array2D<double>>(nc::to_bytes(Forged{})), nc::Error);
}

TEST_CASE("Array2D refuses a size whose bytes overflow", "[array2d]") {
  CHECK_THROWS_WITH((nc::Array2D<double>(std::size_t{1} << 40, std::size_t{1} << 40)),
                    Catch::Contains("too large"));
}

TEST_CASE("a large grid costs no memory until it is written", "[array2d]") {
  // 1 GiB of zeros: calloc maps it lazily, so this neither takes long nor fills the memory.
  // A sanitizer's allocator fills what it hands out: there the grid is smaller.
#ifdef NC_SANITIZED
  constexpr std::size_t kSide = 1024;
#else
  constexpr std::size_t kSide = 16384;
#endif
  nc::Array2D<std::uint32_t> big(kSide, kSide);
  CHECK(big.get(kSide - 1, kSide - 1) == 0);
  big.set(5, 5, 9);
  CHECK(big.row(5)[5] == 9);
}
