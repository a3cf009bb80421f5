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
  SumServer() : chunks_(1000) {}
  nc::JobStatus<std::uint64_t> prepare_data_for_node(nc::NodeID node) override {
    return chunks_.next(node, [](nc::ChunkID c) { return c.value(); });
  }
  void process_data_from_node(nc::NodeID node, const Result& r) override {
    if (chunks_.complete(nc::ChunkID{r.first}, node)) total_ += r.second;
  }
  void heartbeat_timeout(std::vector<nc::NodeID> nodes) override { chunks_.nodes_lost(nodes); }
  void finish_job() override {
    const std::uint64_t n = 100000;
    const std::uint64_t expected = (n - 1) * n * (2 * n - 1) / 6;
    std::printf("sum of squares: %llu (%s)\n", static_cast<unsigned long long>(total_),
                total_ == expected ? "correct" : "WRONG");
    if (total_ != expected) throw nc::Error("wrong sum");
  }
  nc::JobProgress progress() const override { return chunks_.progress(); }

 private:
  nc::ChunkList chunks_;
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
