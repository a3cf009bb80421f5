#include <catch2/catch.hpp>
#include <node_crunch/array2d_chunk.hpp>

TEST_CASE("Array2DChunk cuts a grid into chunks, smaller at the right and bottom edges",
          "[array2d_chunk]") {
  nc::Array2DChunk<int> grid(10, 7, 4, 3);
  CHECK(grid.chunks_x() == 3);
  CHECK(grid.chunks_y() == 3);
  CHECK(grid.chunk_count() == 9);
  CHECK(grid.chunk(nc::ChunkID{0}) == nc::ChunkRect{0, 0, 4, 3});
  CHECK(grid.chunk(nc::ChunkID{2}) == nc::ChunkRect{8, 0, 2, 3});
  CHECK(grid.chunk(nc::ChunkID{4}) == nc::ChunkRect{4, 3, 4, 3});
  CHECK(grid.chunk(nc::ChunkID{8}) == nc::ChunkRect{8, 6, 2, 1});
  std::size_t area = 0;
  for (std::uint64_t c = 0; c < grid.chunk_count(); ++c)
    area += grid.chunk(nc::ChunkID{c}).area();
  CHECK(area == 70);  // the chunks tile the grid exactly
  CHECK_THROWS_WITH(grid.chunk(nc::ChunkID{9}), Catch::Contains("no chunk 9"));
}

TEST_CASE("Array2DChunk puts each chunk's result in place and refuses a wrong size",
          "[array2d_chunk]") {
  nc::Array2DChunk<int> grid(5, 4, 2, 2);
  for (std::uint64_t c = 0; c < grid.chunk_count(); ++c) {
    const auto rect = grid.chunk(nc::ChunkID{c});
    std::vector<int> values(rect.area(), static_cast<int>(c) + 1);
    grid.set_chunk(nc::ChunkID{c}, values);
  }
  CHECK(grid.array().get(0, 0) == 1);
  CHECK(grid.array().get(4, 0) == 3);
  CHECK(grid.array().get(4, 3) == 6);
  CHECK(grid.array().get(2, 2) == 5);
  const std::vector<int> wrong(3, 0);
  CHECK_THROWS_WITH(grid.set_chunk(nc::ChunkID{0}, wrong),
                    Catch::Contains("is 2x2 but its result has 3 values"));
}

TEST_CASE("Array2DChunk refuses empty grids and empty chunks", "[array2d_chunk]") {
  CHECK_THROWS_AS(nc::Array2DChunk<int>(0, 5, 1, 1), nc::Error);
  CHECK_THROWS_AS(nc::Array2DChunk<int>(5, 5, 0, 1), nc::Error);
}
