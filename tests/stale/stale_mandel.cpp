// A mandel node of another build: the job's types as mandel_types.hpp has them, except that
// Pixels has one more field, as a node left running from an older or newer version of the job
// would. Started with --connect against a real mandel server by test_stale_nodes.py, it must be
// refused when it joins and say why, before it takes any work.
#include <node_crunch/node_crunch.hpp>

#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <vector>

namespace mandel {

// The same names, fields and order as the job's own (jobs/mandel/mandel_types.hpp).
struct Params {
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  std::uint32_t max_iter = 0;
  double re_min = 0, re_max = 0, im_min = 0, im_max = 0;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& width& height& max_iter& re_min& re_max& im_min& im_max;
  }
};

struct Band {
  nc::ChunkID chunk;
  nc::ChunkRect rect;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& chunk& rect;
  }
};

struct Pixels {
  nc::ChunkID chunk;
  std::vector<std::uint32_t> values;
  std::uint32_t checksum = 0;  // the field the job's own Pixels does not have

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& chunk& values& checksum;
  }
};

struct Types {
  using InitialData = Params;
  using Task = Band;
  using Result = Pixels;
};

// Never runs as a server: it is here because a job is a server and a node.
class StaleServer final : public nc::Server<Types> {
 public:
  static constexpr const char* job_name = "mandel";
  nc::JobStatus<Band> prepare_data_for_node(nc::NodeID /*node*/) override { return nc::Finished{}; }
  void process_data_from_node(nc::NodeID /*node*/, const Pixels& /*result*/) override {}
  void finish_job() override {}
};

class StaleNode final : public nc::Node<Types> {
 public:
  Pixels process_data_from_server(const Band& band) override {
    return Pixels{band.chunk, std::vector<std::uint32_t>(band.rect.width * band.rect.height), 1};
  }
};

}  // namespace mandel

int main(int argc, char** argv) {
  return nc::run<mandel::StaleServer, mandel::StaleNode>(argc, argv);
}
