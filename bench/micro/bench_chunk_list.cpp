// nc::ChunkList: every operation should cost the same whatever the job's size, so items/s
// must stay flat from 10^3 to 10^6 chunks. nodes_lost is O(chunks the lost node held): its
// items/s (chunks freed per second) must be flat too.
#include <benchmark/benchmark.h>

#include <deque>
#include <node_crunch/chunk_list.hpp>
#include <vector>

namespace {

// One node works through the whole list holding `in_flight` chunks at once (the server sees
// this with a node that prefetches): hand out ahead, complete the oldest.
void BM_HandOutComplete(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  const auto in_flight = static_cast<std::size_t>(state.range(1));
  const nc::NodeID node{1};
  for (auto _ : state) {
    state.PauseTiming();
    nc::ChunkList chunks(count);
    std::deque<nc::ChunkID> held;
    state.ResumeTiming();
    while (!chunks.finished()) {
      while (held.size() < in_flight) {
        const auto chunk = chunks.hand_out(node);
        if (!chunk) break;
        held.push_back(*chunk);
      }
      const bool first = chunks.complete(held.front(), node);
      benchmark::DoNotOptimize(first);
      held.pop_front();
    }
  }
  // One item: one hand_out plus one complete.
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

// A node that held every chunk dies: all of them go back to the free list.
void BM_NodesLost(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  const std::vector<nc::NodeID> lost{nc::NodeID{1}};
  for (auto _ : state) {
    state.PauseTiming();
    nc::ChunkList chunks(count);
    while (chunks.hand_out(lost.front())) {
    }
    state.ResumeTiming();
    auto failed = chunks.nodes_lost(lost);
    benchmark::DoNotOptimize(failed.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

BENCHMARK(BM_HandOutComplete)
    ->ArgNames({"chunks", "in_flight"})
    ->ArgsProduct({{1000, 10000, 100000, 1000000}, {1, 64}})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NodesLost)
    ->ArgName("chunks")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
