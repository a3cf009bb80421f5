// nc::Array2DChunk::set_chunk: putting a result in its place in the grid, the server's only
// per-byte work for a Mandelbrot band. Full-width bands are one contiguous copy; square tiles
// copy row by row.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <node_crunch/array2d_chunk.hpp>
#include <vector>

namespace {

constexpr std::size_t kSide = 4096;

void BM_SetChunk(benchmark::State& state) {
  const auto chunk_width = static_cast<std::size_t>(state.range(0));
  const auto chunk_height = static_cast<std::size_t>(state.range(1));
  nc::Array2DChunk<std::uint32_t> grid(kSide, kSide, chunk_width, chunk_height);
  const std::vector<std::uint32_t> values(chunk_width * chunk_height, 7);
  // Touch the whole grid once, so that page faults of the lazily zeroed memory are not timed.
  for (std::size_t c = 0; c < grid.chunk_count(); ++c)
    grid.set_chunk(nc::ChunkID{c}, values);
  std::size_t next = 0;
  for (auto _ : state) {
    grid.set_chunk(nc::ChunkID{next}, values);
    next = next + 1 == grid.chunk_count() ? 0 : next + 1;
  }
  benchmark::DoNotOptimize(grid.array().data().data());
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * values.size() * sizeof(std::uint32_t)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

BENCHMARK(BM_SetChunk)
    ->ArgNames({"width", "height"})
    ->Args({4096, 16})  // the Mandelbrot job's bands
    ->Args({64, 64});   // tiles: 64 rows of 256 bytes each

}  // namespace
