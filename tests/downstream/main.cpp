// The smallest complete job: the sum of the squares 0..N-1, computed in chunks by the nodes.
#include <node_crunch/node_crunch.hpp>

#include <cstdio>
#include <numeric>

struct Types {
  using Task = std::uint64_t;                              // a chunk: the numbers [100c, 100c+100)
  using Result = std::pair<std::uint64_t, std::uint64_t>;  // (chunk, its sum of squares)
};

class SumServer : public nc::Server<Types> {
 public:
  static constexpr const char* job_name = "sum";
  SumServer() { use_chunks(1000); }  // the framework keeps the state of chunks 0..999
  nc::JobStatus<std::uint64_t> prepare_data_for_node(nc::NodeID node) override {
    return next_chunk(node, [](nc::ChunkID c) { return c.value(); });
  }
  void process_chunk_from_node(nc::NodeID, nc::ChunkID c, const Result& r) override {
    if (r.first != c.value()) throw nc::BadResult("a sum for another chunk");
    total_ += r.second;  // each chunk's first good result, once
  }
  void finish_job() override {
    const std::uint64_t n = 100000;
    const std::uint64_t expected = (n - 1) * n * (2 * n - 1) / 6;
    std::printf("sum of squares: %llu (%s)\n", static_cast<unsigned long long>(total_),
                total_ == expected ? "correct" : "WRONG");
    if (total_ != expected) throw nc::Error("wrong sum");
  }

 private:
  std::uint64_t total_ = 0;
};

class SumNode : public nc::Node<Types> {
 public:
  Result process_data_from_server(const std::uint64_t& chunk) override {
    std::uint64_t sum = 0;
    for (std::uint64_t i = chunk * 100; i < chunk * 100 + 100; ++i)
      sum += i * i;
    return {chunk, sum};
  }
};

int main(int argc, char** argv) {
  return nc::run<SumServer, SumNode>(argc, argv);
}
