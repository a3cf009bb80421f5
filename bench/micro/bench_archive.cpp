// The user-data archive (serialization.hpp, portable_archive.hpp): nc::to_bytes and
// nc::from_bytes of a std::vector<std::uint32_t>, the shape of a Mandelbrot band.
//
// Both copy the numbers with one memcpy on a little-endian machine, so large vectors should
// run near memcpy speed (bench_codec's BM_Memcpy); small ones show what building a Boost
// archive costs per value.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <node_crunch/serialization.hpp>
#include <vector>

namespace {

std::vector<std::uint32_t> numbers_of(std::size_t bytes) {
  std::vector<std::uint32_t> numbers(bytes / sizeof(std::uint32_t));
  for (std::size_t i = 0; i < numbers.size(); ++i)
    numbers[i] = static_cast<std::uint32_t>(i * 2654435761u);
  return numbers;
}

void BM_ToBytes(benchmark::State& state) {
  const auto numbers = numbers_of(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    nc::Bytes bytes = nc::to_bytes(numbers);
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_FromBytes(benchmark::State& state) {
  const nc::Bytes bytes = nc::to_bytes(numbers_of(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto numbers = nc::from_bytes<std::vector<std::uint32_t>>(bytes);
    benchmark::DoNotOptimize(numbers.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

BENCHMARK(BM_ToBytes)->ArgName("bytes")->Arg(16)->Arg(4 << 10)->Arg(1 << 20);
BENCHMARK(BM_FromBytes)->ArgName("bytes")->Arg(16)->Arg(4 << 10)->Arg(1 << 20);

}  // namespace
