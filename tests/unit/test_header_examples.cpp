// The usage examples of the public headers, as code that compiles and runs: an example that no
// longer matches the API fails the build here instead of misleading a reader. Each block names
// the header whose comment it mirrors; change the two together. The lines copied from a header
// are kept as they stand there, except that files go to a scratch directory; the names they
// leave open (band, pixels, task, ...) are filled in around them. The run.hpp and options.hpp
// blocks borrow the square job of test_support.hpp for a server.
#include <catch2/catch.hpp>
#include <node_crunch/array2d.hpp>
#include <node_crunch/array2d_chunk.hpp>
#include <node_crunch/build_config.hpp>
#include <node_crunch/bytes.hpp>
#include <node_crunch/chunk_list.hpp>
#include <node_crunch/configuration.hpp>
#include <node_crunch/error.hpp>
#include <node_crunch/ids.hpp>
#include <node_crunch/job_status.hpp>
#include <node_crunch/node.hpp>
#include <node_crunch/observer.hpp>
#include <node_crunch/options.hpp>
#include <node_crunch/portable_archive.hpp>
#include <node_crunch/run.hpp>
#include <node_crunch/serialization.hpp>
#include <node_crunch/server.hpp>
#if NC_HAVE_HDF5
#include <hdf5.h>
#include <node_crunch/hdf5.hpp>
#endif
#if NC_HAVE_PNG
#include <node_crunch/png.hpp>
#endif

#include <array>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "scratch.hpp"
#include "test_support.hpp"

namespace {

// --- job_status.hpp ---------------------------------------------------------------------------
using Task = std::pair<std::uint64_t, std::string>;  // any serialisable type

nc::JobStatus<Task> hand_out(const Task& task) {
  return nc::Unfinished{task};  // this task goes to the node
}
nc::JobStatus<Task> hand_out(const Task& task, nc::ChunkID chunk) {
  return nc::Unfinished{task, chunk};  // ...and names its chunk in logs and statistics
}
nc::JobStatus<Task> all_out() {
  return nc::Waiting{};  // all work is out; some may come back
}
nc::JobStatus<Task> done() {
  return nc::Finished{};  // the job is done
}

// --- options.hpp ------------------------------------------------------------------------------
struct MandelOptions {
  std::uint32_t width = 1024;
  void declare(nc::OptionSet& options) { options.add("--width", width, "image width in pixels"); }
  void validate() const {
    if (width == 0) throw nc::UsageError("--width must be > 0");
  }
};

/// The square job of the other unit tests, taking its options as the header says a server does.
class WidthServer : public test::SquareServer {
 public:
  using Options = MandelOptions;
  explicit WidthServer(const MandelOptions& options) : SquareServer(test::Knobs{}) {
    width = options.width;
  }
  static inline std::uint32_t width = 0;  // what the last one was given
};

// --- node.hpp ---------------------------------------------------------------------------------
struct Params {
  double scale = 1;
  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& scale;
  }
};
using Band = std::vector<double>;
using Pixels = std::vector<double>;
struct Types {
  using InitialData = Params;
  using Task = Band;
  using Result = Pixels;
};

class MyNode : public nc::Node<Types> {
  void set_initial_data(nc::NodeID, const std::optional<Params>& p) override { params_ = *p; }
  Pixels process_data_from_server(const Band& band) override;  // the computation

  Params params_;
};

Pixels MyNode::process_data_from_server(const Band& band) {
  Pixels out;
  for (double value : band)
    out.push_back(value * params_.scale);
  return out;
}

// --- run.hpp ----------------------------------------------------------------------------------
// The job of the other unit tests stands in for the Mandelbrot: it squares its chunk numbers
// and checks the squares when it finishes.
using MandelServer = test::SquareServer;
using MandelNode = test::SquareNode;

struct MandelJob {
  static constexpr const char* name = "mandel";
  static constexpr const char* summary = "...";
  using Server = MandelServer;
  using Node = MandelNode;
};
struct PiJob {
  static constexpr const char* name = "pi";
  static constexpr const char* summary = "...";
  using Server = test::SquareServer;
  using Node = test::SquareNode;
};

int main_of_one_job(int argc, char** argv) {
  return nc::run<MandelServer, MandelNode>(argc, argv);
}
int main_of_two_jobs(int argc, char** argv) {
  return nc::run_jobs<MandelJob, PiJob>(argc, argv);  // the first is the default
}

/// Runs `program` on `words` (its name first) and returns its exit status;
/// test::last_run_correct then says whether the square job computed every square right.
int run_program(int (*program)(int, char**), std::vector<std::string> words) {
  test::last_run_correct = false;
  std::vector<char*> argv;
  for (auto& word : words)
    argv.push_back(word.data());
  return program(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("ids.hpp: a strong id prints as its kind and number", "[header_examples]") {
  nc::NodeID node{3};
  REQUIRE(node.value() == 3);
  REQUIRE(nc::to_string(node) == "node 3");
  std::ostringstream out;
  out << node;
  REQUIRE(out.str() == "node 3");
}

TEST_CASE("error.hpp: an error names its node and chunk", "[header_examples]") {
  const nc::NodeID id{3};
  const nc::ChunkID c{7};
  try {
    throw nc::Error("chunk 7 has 120 values, expected 128").with_node(id).with_chunk(c);
  } catch (const nc::Error& e) {
    REQUIRE(std::string(e.what()) == "chunk 7 has 120 values, expected 128 (node 3, chunk 7)");
    REQUIRE(e.node() == id);
    REQUIRE(e.chunk() == c);
  }
  // On a subclass the chained calls keep the subclass, so a catch of it still matches.
  REQUIRE_THROWS_AS([&] { throw nc::BadResult("wrong size").with_node(id).with_chunk(c); }(),
                    nc::BadResult);
  REQUIRE_THROWS_AS([&] { throw nc::IoError("disk full").with_chunk(c); }(), nc::IoError);
}

TEST_CASE("bytes.hpp: little-endian on every machine", "[header_examples]") {
  nc::Bytes out;
  nc::put_le<std::uint32_t>(out, 42);  // 2a 00 00 00 on every machine
  auto v = nc::load_le<std::uint32_t>(out.data());
  REQUIRE(test::hex(out) == "2a000000");
  REQUIRE(v == 42);
}

TEST_CASE("array2d.hpp: set, row and set_region", "[header_examples]") {
  const std::vector<std::uint32_t> band(640 * 16, 5);
  nc::Array2D<std::uint32_t> grid(640, 480);  // width, height; zero-filled
  grid.set(10, 20, 7);
  REQUIRE(grid.row(20)[10] == 7);
  grid.set_region(0, 16, 640, 16, band);  // a 640x16 band at y = 16
  REQUIRE(grid.get(0, 16) == 5);
  REQUIRE(grid.get(639, 31) == 5);
  REQUIRE(grid.get(0, 15) == 0);
  REQUIRE(grid.get(0, 32) == 0);
  REQUIRE(grid.get(10, 20) == 5);  // the band wrote over the 7
  REQUIRE_THROWS_AS(grid.set(640, 0, 1), nc::Error);
}

TEST_CASE("array2d_chunk.hpp: full-width bands", "[header_examples]") {
  nc::Array2DChunk<std::uint32_t> image(4096, 4096, 4096, 16);  // full-width bands of 16 rows
  nc::ChunkRect c = image.chunk(nc::ChunkID{3});                // x 0, y 48, 4096 wide, 16 high
  REQUIRE(c == nc::ChunkRect{.x = 0, .y = 48, .width = 4096, .height = 16});
  const std::vector<std::uint32_t> pixels(c.area(), 9);
  image.set_chunk(nc::ChunkID{3}, pixels);  // pixels.size() must be c.area()
  REQUIRE(image.array().get(4095, 63) == 9);
  REQUIRE(image.array().get(0, 47) == 0);
  REQUIRE_THROWS_AS(image.set_chunk(nc::ChunkID{4}, std::span(pixels).first(10)), nc::Error);
}

TEST_CASE("job_status.hpp: what a server answers", "[header_examples]") {
  const Task task{5, "five"};
  const auto unfinished = hand_out(task);
  REQUIRE(unfinished.is_unfinished());
  REQUIRE(unfinished.task() == task);
  REQUIRE_FALSE(unfinished.chunk().has_value());
  const auto named = hand_out(task, nc::ChunkID{5});
  REQUIRE(named.chunk() == nc::ChunkID{5});
  REQUIRE(all_out().is_waiting());
  REQUIRE(done().is_finished());
}

TEST_CASE("serialization.hpp: to_bytes and from_bytes", "[header_examples]") {
  const Task task{7, "seven"};
  nc::Bytes bytes = nc::to_bytes(task);
  auto copy = nc::from_bytes<Task>(bytes);  // throws nc::ProtocolError on bad bytes
  REQUIRE(copy == task);
  bytes.pop_back();
  REQUIRE_THROWS_AS(nc::from_bytes<Task>(bytes), nc::ProtocolError);
}

TEST_CASE("portable_archive.hpp: the archive by hand", "[header_examples]") {
  const std::vector<double> value{1.5, -2.25, 1e300};
  std::vector<double> copy;
  nc::Bytes bytes;
  {
    nc::portable_oarchive out(bytes);
    out << value;
  }
  nc::portable_iarchive in(bytes);
  in >> copy;
  REQUIRE(copy == value);
  REQUIRE(bytes == nc::to_bytes(value));  // what nc::to_bytes does
}

TEST_CASE("configuration.hpp: defaults, then one setting", "[header_examples]") {
  nc::Configuration config;  // the defaults
  REQUIRE(config.heartbeat == std::chrono::milliseconds(1000));
  config.heartbeat = std::chrono::milliseconds(200);
  REQUIRE(config.heartbeat.count() == 200);
}

TEST_CASE("options.hpp: a job's option is parsed, validated and given to the server",
          "[header_examples]") {
  auto program = [](int argc, char** argv) {
    return nc::run<WidthServer, test::SquareNode>(argc, argv);
  };
  auto words = [](std::vector<std::string> options) {
    std::vector<std::string> all{"mandel", "--nodes", "2", "--log-level", "off"};
    all.insert(all.end(), options.begin(), options.end());
    return all;
  };
  REQUIRE(run_program(program, words({})) == nc::exit_ok);
  REQUIRE(WidthServer::width == 1024);
  REQUIRE(run_program(program, words({"--width", "640"})) == nc::exit_ok);
  REQUIRE(WidthServer::width == 640);
  WidthServer::width = 0;
  REQUIRE(run_program(program, words({"--width", "0"})) == nc::exit_usage);
  REQUIRE(WidthServer::width == 0);  // validate() refused it before any server was made
}

TEST_CASE("node.hpp: a node gets its initial data, then tasks", "[header_examples]") {
  MyNode mine;
  nc::Node<Types>& node = mine;  // how the framework calls it
  node.set_initial_data(nc::NodeID{1}, Params{2.0});
  REQUIRE(node.process_data_from_server(Band{1, 2, 3}) == Pixels{2, 4, 6});
}

TEST_CASE("run.hpp: one job, and several chosen by the first argument", "[header_examples]") {
  const std::vector<std::string> quiet{"--nodes", "2", "--log-level", "off"};
  auto words = [&](std::vector<std::string> head) {
    head.insert(head.end(), quiet.begin(), quiet.end());
    return head;
  };
  REQUIRE(run_program(main_of_one_job, words({"mandel"})) == nc::exit_ok);
  REQUIRE(test::last_run_correct);
  REQUIRE(run_program(main_of_two_jobs, words({"prog"})) == nc::exit_ok);  // the default
  REQUIRE(test::last_run_correct);
  REQUIRE(run_program(main_of_two_jobs, words({"prog", "pi"})) == nc::exit_ok);
  REQUIRE(test::last_run_correct);
  REQUIRE(run_program(main_of_two_jobs, words({"prog", "tau"})) == nc::exit_usage);
}

#if NC_HAVE_PNG
TEST_CASE("png.hpp: an RGB picture", "[header_examples]") {
  test::TempDir dir("nc-examples");
  const std::size_t width = 8;
  const std::size_t height = 4;
  const std::vector<std::uint8_t> rgb(3 * width * height, 200);
  const std::string path = dir.file("mandel.png");
  nc::png::write_rgb8(path, width, height, rgb);  // rgb.size() == 3 * width * height
  std::ifstream in(path, std::ios::binary);
  std::array<char, 8> signature{};
  in.read(signature.data(), signature.size());
  REQUIRE(std::string(signature.data() + 1, 3) == "PNG");
  REQUIRE(dir.entries() == 1);  // no temporary left behind
}
#endif

#if NC_HAVE_HDF5
namespace {

/// The HDF5 chunk shape of a dataset and its deflate level (0: none).
struct Layout {
  std::array<hsize_t, 2> chunk{};
  unsigned deflate = 0;
};
Layout layout_of(const std::string& path, const std::string& dataset) {
  Layout layout;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t data = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  const hid_t properties = H5Dget_create_plist(data);
  H5Pget_chunk(properties, 2, layout.chunk.data());
  unsigned flags = 0;
  std::size_t count = 1;
  unsigned level = 0;
  if (H5Pget_filter_by_id2(properties, H5Z_FILTER_DEFLATE, &flags, &count, &level, 0, nullptr,
                           nullptr) >= 0)
    layout.deflate = level;
  H5Pclose(properties);
  H5Dclose(data);
  H5Fclose(file);
  return layout;
}

}  // namespace

TEST_CASE("hdf5.hpp: a grid written whole, with attributes, and read back", "[header_examples]") {
  test::TempDir dir("nc-examples");
  const std::string path = dir.file("mandel.h5");  // the example's "mandel.h5"
  nc::Array2D<std::uint32_t> grid(300, 200);
  for (std::size_t y = 0; y < grid.height(); ++y)
    grid.set(y % grid.width(), y, static_cast<std::uint32_t>(y * 3));
  nc::hdf5::write_array2d(path, "mandel", grid,
                          {{"max_iter", std::uint64_t{1000}}, {"re_min", -2.0}}, {.deflate = 4});
  auto back = nc::hdf5::read_array2d<std::uint32_t>(path, "mandel");  // == grid
  REQUIRE(back == grid);
  REQUIRE(nc::hdf5::read_attributes(path, "mandel") ==
          nc::hdf5::Attributes{{"max_iter", std::uint64_t{1000}}, {"re_min", -2.0}});
  const auto layout = layout_of(path, "mandel");
  REQUIRE(layout.deflate == 4);
  REQUIRE(layout.chunk == std::array<hsize_t, 2>{200, 300});  // whole rows: all of it fits 1 MiB
}

TEST_CASE("hdf5.hpp: a grid written band by band in chunks of the bands' shape",
          "[header_examples]") {
  test::TempDir dir("nc-examples");
  const std::string path = dir.file("mandel.h5");
  const std::vector<std::uint32_t> band(1024 * 16, 77);
  {
    nc::hdf5::Array2DWriter<std::uint32_t> out(path, "mandel", 1024, 1024,
                                               {.chunk_rows = 16, .chunk_cols = 1024});
    out.write_region(0, 32, 1024, 16, band);  // whenever a band arrives
    out.commit({{"max_iter", std::uint64_t{1000}}});
  }
  const auto grid = nc::hdf5::read_array2d<std::uint32_t>(path, "mandel");
  REQUIRE(grid.region(0, 32, 1024, 16) == band);
  REQUIRE(grid.get(0, 31) == 0);  // regions not written read as 0
  REQUIRE(grid.get(1023, 48) == 0);
  REQUIRE(layout_of(path, "mandel").chunk == std::array<hsize_t, 2>{16, 1024});
  REQUIRE(nc::hdf5::read_attributes(path, "mandel") ==
          nc::hdf5::Attributes{{"max_iter", std::uint64_t{1000}}});
  REQUIRE(dir.entries() == 1);  // the temporary was renamed into place

  // One of the two is not a shape: the writer picks its own, as WriteOptions says.
  const std::string half = dir.file("half.h5");
  {
    nc::hdf5::Array2DWriter<std::uint32_t> out(half, "mandel", 1024, 1024, {.chunk_rows = 16});
    out.commit();
  }
  REQUIRE(layout_of(half, "mandel").chunk == std::array<hsize_t, 2>{256, 1024});  // 1 MiB
}

TEST_CASE("hdf5.hpp: a table with a row per task", "[header_examples]") {
  test::TempDir dir("nc-examples");
  const std::string path = dir.file("pi.h5");
  nc::hdf5::write_table(path, "tasks",
                        {{"task", std::vector<std::uint64_t>{0, 1}},
                         {"estimate", std::vector<double>{3.1412, 3.1419}}},
                        {{"estimate", 3.14155}});
  const auto columns = nc::hdf5::read_table(path, "tasks");
  REQUIRE(columns == nc::hdf5::Columns{{"task", std::vector<std::uint64_t>{0, 1}},
                                       {"estimate", std::vector<double>{3.1412, 3.1419}}});
  REQUIRE(nc::hdf5::read_attributes(path, "tasks") == nc::hdf5::Attributes{{"estimate", 3.14155}});
}
#endif

namespace server_example {

// The names server.hpp and chunk_list.hpp leave open.
struct Params {
  template <class Archive>
  void serialize(Archive& /*archive*/, const unsigned int /*version*/) {}
};
struct Band {
  nc::ChunkID chunk{};
  nc::ChunkRect rect;
  explicit Band(nc::ChunkRect r = {}) : rect(r) {}
  Band(nc::ChunkID c, nc::ChunkRect r) : chunk(c), rect(r) {}
  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& chunk& rect;
  }
};
struct Pixels {
  nc::ChunkID chunk{};
  std::vector<float> values;
  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& chunk& values;
  }
};
struct Output {
  static inline std::size_t pixels = 0;
  static inline int written = 0;
  void add(const nc::ChunkRect& rect, const std::vector<float>& values) {
    REQUIRE(values.size() == rect.area());
    pixels += values.size();
  }
  void write() { ++written; }
};

// server.hpp
struct Types {
  using InitialData = Params;
  using Task = Band;
  using Result = Pixels;
};
class MyServer : public nc::Server<Types> {
 public:
  MyServer() { use_chunks(grid.chunk_count()); }  // the framework keeps the chunk state
  nc::JobStatus<Band> prepare_data_for_node(nc::NodeID node) override {
    return next_chunk(node, [&](nc::ChunkID c) { return Band{grid.chunk(c)}; });
  }
  void process_chunk_from_node(nc::NodeID, nc::ChunkID c, const Pixels& r) override {
    if (r.values.size() != grid.chunk(c).area()) throw nc::BadResult("wrong size");
    out.add(grid.chunk(c), r.values);  // the first good result of chunk c, once
  }
  void finish_job() override { out.write(); }
  nc::Array2DChunk<float> grid{640, 480, 640, 16};
  Output out;
};

// chunk_list.hpp
class OwnChunksServer : public nc::Server<Types> {
 public:
  nc::Array2DChunk<float> grid{640, 480, 640, 16};
  Output out;
  nc::ChunkList chunks{grid.chunk_count()};
  nc::JobStatus<Band> prepare_data_for_node(nc::NodeID node) override {
    return chunks.next(node, [&](nc::ChunkID c) { return Band{c, grid.chunk(c)}; });
  }
  void process_data_from_node(nc::NodeID node, const Pixels& r) override {
    if (chunks.complete(r.chunk, node)) out.add(grid.chunk(r.chunk), r.values);  // else a copy
  }
  void heartbeat_timeout(std::vector<nc::NodeID> lost) override { chunks.nodes_lost(lost); }
  void finish_job() override { out.write(); }
  [[nodiscard]] nc::JobProgress progress() const override { return chunks.progress(); }
};

class PixelNode : public nc::Node<Types> {
 public:
  Pixels process_data_from_server(const Band& band) override {
    return Pixels{band.chunk, std::vector<float>(band.rect.area(), 0.5f)};
  }
};

// observer.hpp
struct Counter : nc::Observer {
  int lost = 0;
  void on_node_lost(const nc::NodeInfo&, std::string_view) override { ++lost; }
};

template <class S>
int run_alone() {
  std::vector<std::string> words{"example", "--nodes", "2", "--log-level", "warn"};
  std::vector<char*> argv;
  for (auto& word : words)
    argv.push_back(word.data());
  std::vector<nc::detail::JobEntry> jobs;
  jobs.push_back(nc::detail::make_job_entry<S, PixelNode>("example", "an example"));
  return nc::detail::run_main(std::move(jobs), static_cast<int>(argv.size()), argv.data());
}

}  // namespace server_example

TEST_CASE("server.hpp: a server whose chunks the framework keeps", "[header_examples]") {
  using server_example::Output;
  Output::pixels = 0;
  Output::written = 0;
  REQUIRE(server_example::run_alone<server_example::MyServer>() == nc::exit_ok);
  REQUIRE(Output::pixels == 640 * 480);  // every chunk once
  REQUIRE(Output::written == 1);
}

TEST_CASE("chunk_list.hpp: a server that keeps its own chunks", "[header_examples]") {
  using server_example::Output;
  Output::pixels = 0;
  Output::written = 0;
  REQUIRE(server_example::run_alone<server_example::OwnChunksServer>() == nc::exit_ok);
  REQUIRE(Output::pixels == 640 * 480);
  REQUIRE(Output::written == 1);
}

TEST_CASE("observer.hpp: an observer counts what it is told", "[header_examples]") {
  server_example::Counter counter;
  nc::Observer& observer = counter;
  observer.on_node_lost(nc::NodeInfo{}, "no heartbeat");
  observer.on_result(nc::NodeID{1}, nc::AttemptID{1}, std::nullopt);  // the others do nothing
  REQUIRE(counter.lost == 1);
}
