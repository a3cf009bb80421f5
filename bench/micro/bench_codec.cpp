// The message codec (src/core/message.*): encode and decode a Tasks or Results message that
// carries one payload, next to a plain memcpy of the same bytes.
//
// As the transports do it: encoding copies the payload once, into the frame; decoding the
// frame it takes over leaves the payload there (a view that shares the frame). So on large
// payloads the codec can come near the memcpy rate; on 16 bytes the fixed cost per message
// (variant, allocations) is what shows.
#include <benchmark/benchmark.h>

#include <cstring>
#include <utility>
#include <variant>

#include "core/message.hpp"

namespace {

nc::Bytes payload_of(std::size_t size) {
  nc::Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i)
    bytes[i] = static_cast<std::byte>(i * 131);
  return bytes;
}

nc::detail::Message tasks_message(std::size_t size) {
  nc::detail::TaskItem item;  // fields by name: the item may gain fields
  item.attempt = nc::AttemptID{7};
  item.payload = payload_of(size);
  nc::detail::Tasks tasks;
  tasks.results_seen = 41;
  tasks.items.push_back(std::move(item));
  return tasks;
}

nc::detail::Message results_message(std::size_t size) {
  nc::detail::ResultItem item;
  item.attempt = nc::AttemptID{7};
  item.compute_us = 1234;
  item.payload = payload_of(size);
  nc::detail::Results results;
  results.more = 2;
  results.items.push_back(std::move(item));
  return results;
}

void encode_decode(benchmark::State& state, const nc::detail::Message& message) {
  for (auto _ : state) {
    nc::Bytes wire = nc::detail::encode(message);
    nc::detail::Message back = nc::detail::decode(std::move(wire));
    benchmark::DoNotOptimize(back);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_CodecTasks(benchmark::State& state) {
  encode_decode(state, tasks_message(static_cast<std::size_t>(state.range(0))));
}

void BM_CodecResults(benchmark::State& state) {
  encode_decode(state, results_message(static_cast<std::size_t>(state.range(0))));
}

// The speed of light for moving the payload once, into a buffer that already exists.
void BM_Memcpy(benchmark::State& state) {
  const nc::Bytes source = payload_of(static_cast<std::size_t>(state.range(0)));
  nc::Bytes target(source.size());
  for (auto _ : state) {
    std::memcpy(target.data(), source.data(), source.size());
    benchmark::DoNotOptimize(target.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

#define NC_PAYLOAD_SIZES ArgName("bytes")->Arg(16)->Arg(4 << 10)->Arg(1 << 20)
BENCHMARK(BM_CodecTasks)->NC_PAYLOAD_SIZES;
BENCHMARK(BM_CodecResults)->NC_PAYLOAD_SIZES;
BENCHMARK(BM_Memcpy)->NC_PAYLOAD_SIZES;

}  // namespace
