// HDF5 output of a 4096x4096 uint32 grid (64 MiB): all at once with write_array2d, and band by
// band with Array2DWriter as the Mandelbrot server does while results arrive. Both end with an
// fsync and a rename, so this measures the disk under the temporary directory as well.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <node_crunch/hdf5.hpp>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kGridSide = 4096;
constexpr std::size_t kBandRows = 16;

std::filesystem::path scratch_file() {
  const auto dir = std::filesystem::temp_directory_path();
  return dir / ("nc-bench-hdf5-" + std::to_string(::getpid()) + ".h5");
}

nc::Array2D<std::uint32_t> pattern_grid() {
  nc::Array2D<std::uint32_t> grid(kGridSide, kGridSide);
  auto data = grid.data();
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<std::uint32_t>((i * 2654435761u) >> 22);  // 0..1023, like escape times
  return grid;
}

void BM_Hdf5WriteGrid(benchmark::State& state) {
  const auto grid = pattern_grid();
  const auto path = scratch_file();
  for (auto _ : state) {
    nc::hdf5::write_array2d(path.string(), "mandel", grid, {{"max_iter", std::uint64_t{1000}}});
  }
  std::filesystem::remove(path);
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * grid.size() * sizeof(std::uint32_t)));
}

void BM_Hdf5WriteBands(benchmark::State& state) {
  const auto grid = pattern_grid();
  const auto path = scratch_file();
  // The storage jobs/mandel picks for 16-row bands of 4096: one HDF5 chunk per band.
  const nc::hdf5::WriteOptions options{.chunk_rows = kBandRows, .chunk_cols = kGridSide};
  for (auto _ : state) {
    nc::hdf5::Array2DWriter<std::uint32_t> out(path.string(), "mandel", kGridSide, kGridSide,
                                               options);
    for (std::size_t y = 0; y < kGridSide; y += kBandRows)
      out.write_region(0, y, kGridSide, kBandRows,
                       grid.data().subspan(y * kGridSide, kGridSide * kBandRows));
    out.commit({{"max_iter", std::uint64_t{1000}}});
  }
  std::filesystem::remove(path);
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * grid.size() * sizeof(std::uint32_t)));
}

BENCHMARK(BM_Hdf5WriteGrid)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Hdf5WriteBands)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
