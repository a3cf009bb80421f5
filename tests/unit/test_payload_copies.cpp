// How often the library copies the bytes of a task or a result between the user's
// serialisation and the user's deserialisation, path by path (core/copy_count.hpp tallies
// every such copy). The budget is one: into the frame. The MPI path's own test is in
// tests/mpi/test_payload_copies.cpp.
#include <catch2/catch.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/serialization/vector.hpp>
#include <thread>

#include "core/copy_count.hpp"
#include "core/message.hpp"
#include "core/node_engine.hpp"
#include "test_support.hpp"
#include "transport/tcp/connection.hpp"
#include "transport/tcp/secret.hpp"

using namespace nc::detail;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kBig = std::size_t{1} << 20;
constexpr std::size_t kSmall = 16;
// On TCP the bytes that arrive in the read buffer with a frame's header, and the last ones when
// fewer are missing than the buffer holds (64 KiB at most), are copied out of it.
constexpr double kReadBuffers = 2.0 * (64 << 10) / kBig;

nc::Bytes pattern(std::size_t size, unsigned seed) {
  nc::Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i)
    bytes[i] = static_cast<std::byte>((i * 7 + seed) & 0xff);
  return bytes;
}

// A job of one task whose task and result have the sizes the test sets.
struct BlobTypes {
  using InitialData = std::uint64_t;
  using Task = std::vector<std::uint8_t>;
  using Result = std::vector<std::uint8_t>;
};
std::size_t blob_task_size = 0;
std::size_t blob_result_size = 0;
std::size_t blob_result_seen = 0;

class BlobServer : public nc::Server<BlobTypes> {
 public:
  std::optional<std::uint64_t> initial_data() override { return 1; }
  nc::JobStatus<Task> prepare_data_for_node(nc::NodeID /*node*/) override {
    if (answered_) return nc::Finished{};
    if (handed_out_) return nc::Waiting{};
    handed_out_ = true;
    return nc::Unfinished<Task>{Task(blob_task_size, 3)};
  }
  void process_data_from_node(nc::NodeID /*node*/, const Result& result) override {
    blob_result_seen = result.size();
    answered_ = true;
  }
  void heartbeat_timeout(std::vector<nc::NodeID> /*nodes*/) override {}
  void finish_job() override {}

 private:
  bool handed_out_ = false;
  bool answered_ = false;
};

class BlobNode : public nc::Node<BlobTypes> {
 public:
  Result process_data_from_server(const Task& task) override {
    if (task.size() != blob_task_size) throw nc::Error("the task lost bytes on its way");
    return Result(blob_result_size, 5);
  }
};

/// Copies of the larger payload's bytes (the task's or the result's) when the blob job runs in
/// one process; the smaller one costs a few bytes more.
double run_blob_alone(std::size_t task, std::size_t result) {
  blob_task_size = task;
  blob_result_size = result;
  blob_result_seen = 0;
  std::vector<std::string> words{"blob", "--nodes", "1", "--log-level", "off"};
  std::vector<char*> argv;
  for (auto& word : words)
    argv.push_back(word.data());
  std::vector<JobEntry> jobs;
  jobs.push_back(make_job_entry<BlobServer, BlobNode>("blob", "one big task"));
  int status = -1;
  const double copied = copy_count::copies_of(std::max(task, result), [&] {
    status = run_main(std::move(jobs), static_cast<int>(argv.size()), argv.data());
  });
  REQUIRE(status == nc::exit_ok);
  REQUIRE(blob_result_seen == result);
  return copied;
}

// Two connected TCP connections on loopback; `b` keeps every message it receives.
struct TcpPair {
  TcpPair() {
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    boost::asio::ip::tcp::socket client(io);
    client.connect(acceptor.local_endpoint());
    boost::asio::ip::tcp::socket server(io);
    acceptor.accept(server);
    a = std::make_shared<TcpConnection>(std::move(server), kLimit);
    b = std::make_shared<TcpConnection>(std::move(client), kLimit);
    a->start([](Frame&) {}, [](const std::string&) {});
    b->start([this](Frame& frame) { received.push_back(decode(frame.payload)); },
             [](const std::string&) {});
  }
  ~TcpPair() {
    a->close("done");
    b->close("done");
    io.restart();
    io.run();
  }
  TcpPair(const TcpPair&) = delete;
  TcpPair& operator=(const TcpPair&) = delete;

  void seal() {
    Key one{};
    Key two{};
    one.fill(1);
    two.fill(2);
    a->seal(one, two);
    b->seal(two, one);
  }
  /// Sends from `a` and runs the loop until `b` has it.
  Message carry(const Message& message) {
    received.clear();
    a->send(encode_for_wire(message, a->framing()));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (received.empty() && std::chrono::steady_clock::now() < deadline)
      io.run_for(10ms);
    REQUIRE(received.size() == 1);
    return std::move(received.front());
  }

  static constexpr std::uint64_t kLimit = std::uint64_t{64} << 20;
  boost::asio::io_context io;
  std::shared_ptr<TcpConnection> a;
  std::shared_ptr<TcpConnection> b;
  std::vector<Message> received;
};

// Results of the node engine as a transport gets them; decoded in place, nothing is copied to
// record them.
class CountingNodeLink final : public NodeLink {
 public:
  void send_bytes(Outgoing&& out) override {
    const Message message = decode(std::move(out.bytes));
    if (const auto* results = std::get_if<Results>(&message)) {
      for (const auto& item : results->items)
        result_sizes.push_back(item.payload.size());
    }
  }
  std::vector<std::size_t> result_sizes;
};

}  // namespace

TEST_CASE("in one process a task and a result are copied into their frame and nowhere else",
          "[copies][inproc]") {
  REQUIRE(run_blob_alone(kBig, kSmall) == Approx(1).margin(0.01));  // the task
  REQUIRE(run_blob_alone(kSmall, kBig) == Approx(1).margin(0.01));  // the result
}

TEST_CASE("over TCP a payload is copied into its frame and read where it arrived",
          "[copies][tcp]") {
  TcpPair pair;
  const bool sealed = GENERATE(false, true);
  if (sealed && !crypto_available()) return;
  if (sealed) pair.seal();
  const Message tasks{Tasks{0, {TaskItem{nc::AttemptID{1}, std::nullopt, pattern(kBig, 1)}}}};
  Message got;
  REQUIRE(copy_count::copies_of(kBig, [&] { got = pair.carry(tasks); }) ==
          Approx(1).margin(kReadBuffers));
  REQUIRE(got == tasks);
  CHECK(std::get<Tasks>(got).items.at(0).payload.is_view());

  const Message results{
      Results{1, {ResultItem{nc::AttemptID{1}, std::nullopt, 0, pattern(kBig, 2)}}}};
  REQUIRE(copy_count::copies_of(kBig, [&] { got = pair.carry(results); }) ==
          Approx(1).margin(kReadBuffers));
  REQUIRE(got == results);
  CHECK(std::get<Results>(got).items.at(0).payload.is_view());
}

TEST_CASE("a node keeps its unconfirmed results for a resend without copying them",
          "[copies][node_engine]") {
  blob_task_size = kSmall;
  blob_result_size = kBig;
  nc::Configuration config;
  std::atomic<int> outputs{0};
  WorkerPool pool(make_node_factory<BlobNode>(), 1, [&] { ++outputs; });
  NodeEngine engine("blob", config, pool, /*keep_results=*/true);
  CountingNodeLink link;
  engine.connected(link);
  Welcome welcome{nc::NodeID{1}, 1000, 0, true, nc::to_bytes(std::uint64_t{1})};
  engine.on_message(welcome);
  Tasks tasks{0, {TaskItem{nc::AttemptID{1}, std::nullopt, nc::to_bytes(BlobTypes::Task(kSmall))}}};
  engine.on_message(std::move(tasks));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (outputs == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  REQUIRE(outputs > 0);
  // Sent: one copy, the encoding into the frame; keeping the result for a resend costs none.
  REQUIRE(copy_count::copies_of(kBig, [&] { engine.on_worker_outputs(); }) ==
          Approx(1).margin(0.01));
  REQUIRE(link.result_sizes.size() == 1);
  // The connection drops and comes back; the server had not seen the result: it goes again.
  engine.disconnected();
  CountingNodeLink again;
  engine.connected(again);
  Welcome back{nc::NodeID{1}, 1000, 0, false, std::nullopt};
  REQUIRE(copy_count::copies_of(kBig, [&] { engine.on_message(back); }) == Approx(1).margin(0.01));
  REQUIRE(again.result_sizes.size() == 1);
  CHECK(again.result_sizes[0] == link.result_sizes[0]);
  engine.interrupt("the test is over");
  pool.join_for(1s);
}
