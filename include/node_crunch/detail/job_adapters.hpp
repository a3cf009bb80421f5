#pragma once
// The engine is compiled once, in the library, and knows only bytes; these adapters, compiled
// in the user's program, turn its types into bytes and back and call its methods.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "node_crunch/bytes.hpp"
#include "node_crunch/configuration.hpp"
#include "node_crunch/detail/type_fingerprint.hpp"
#include "node_crunch/error.hpp"
#include "node_crunch/ids.hpp"
#include "node_crunch/job_status.hpp"
#include "node_crunch/progress.hpp"
#include "node_crunch/serialization.hpp"
#include "node_crunch/server.hpp"

namespace nc {
class OptionSet;
}

namespace nc::detail {

/// Bytes from a peer that do not decode as the job's type: a peer's fault, not the user's.
class BadPayload : public ProtocolError {
 public:
  using ProtocolError::ProtocolError;
};

struct ErasedStatus {
  enum class Kind : std::uint8_t { unfinished, waiting, finished };
  Kind kind = Kind::waiting;
  Bytes task;
  std::optional<ChunkID> chunk;
};

/// The engine's view of a user's server.
class ServerHandle {
 public:
  virtual ~ServerHandle() = default;
  virtual std::optional<Bytes> initial_data() = 0;
  virtual ErasedStatus prepare(NodeID node) = 0;
  /// `chunk`: the chunk of the task the result answers, if the task named one. Throws
  /// BadPayload if the bytes do not decode, BadResult if the server refuses the result.
  virtual void process(NodeID node, std::optional<ChunkID> chunk, ByteSpan result) = 0;
  virtual void nodes_lost(std::vector<NodeID> nodes) = 0;
  virtual void finish() = 0;
  [[nodiscard]] virtual JobProgress progress() const = 0;
  /// The chunk state the engine keeps for a server that asked for it (use_chunks), else null.
  [[nodiscard]] virtual ChunkList* chunks() = 0;
  /// Observers the server attached with add_observer.
  [[nodiscard]] virtual std::vector<Observer*> observers() const = 0;
  /// The job's types (type_fingerprint), which a joining node's must match; 0: not checked.
  [[nodiscard]] virtual std::uint64_t fingerprint() const { return 0; }
};

/// The initial data, decoded once per node process and shared by its worker threads.
using SharedInitial = std::shared_ptr<const void>;

/// One worker thread's view of a user's Node.
class NodeHandle {
 public:
  virtual ~NodeHandle() = default;
  virtual void set_initial_data(NodeID node, const SharedInitial& initial) = 0;
  virtual Bytes process(ByteSpan task) = 0;  // BadPayload if the task does not decode
};

struct NodeFactory {
  std::function<std::unique_ptr<NodeHandle>()> make;
  std::function<SharedInitial(const std::optional<Bytes>&)> decode_initial;
  std::uint64_t fingerprint = 0;  ///< the job's types (type_fingerprint), sent when joining
};

template <class T>
T decode_payload(ByteSpan bytes, const char* what) {
  T value{};
  try {
    from_bytes(bytes, value);
  } catch (const ProtocolError& e) {
    throw BadPayload(std::string(what) + " does not decode: " + e.what());
  }
  return value;
}

template <class S>
class ServerAdapter final : public ServerHandle {
 public:
  explicit ServerAdapter(std::unique_ptr<S> server, const ChunkPolicy& policy = {})
      : server_(std::move(server)) {
    ServerAccess::apply_policy(*server_, policy);
  }

  std::optional<Bytes> initial_data() override {
    auto initial = server_->initial_data();
    if (!initial) return std::nullopt;
    return to_bytes(*initial);
  }
  ErasedStatus prepare(NodeID node) override {
    auto status = server_->prepare_data_for_node(node);
    if (status.is_unfinished()) {
      return {ErasedStatus::Kind::unfinished, to_bytes(status.task()), status.chunk()};
    }
    return {
        status.is_finished() ? ErasedStatus::Kind::finished : ErasedStatus::Kind::waiting, {}, {}};
  }
  void process(NodeID node, std::optional<ChunkID> chunk, ByteSpan bytes) override {
    const auto result = decode_payload<typename S::Result>(bytes, "a result");
    // Through the base, so that a server overriding only one form is still reached.
    auto& base = ServerAccess::base(*server_);
    if (chunk)
      base.process_chunk_from_node(node, *chunk, result);
    else
      base.process_data_from_node(node, result);
  }
  void nodes_lost(std::vector<NodeID> nodes) override {
    server_->heartbeat_timeout(std::move(nodes));
  }
  void finish() override { server_->finish_job(); }
  [[nodiscard]] JobProgress progress() const override { return server_->progress(); }
  [[nodiscard]] ChunkList* chunks() override { return ServerAccess::chunks(*server_); }
  [[nodiscard]] std::vector<Observer*> observers() const override {
    std::vector<Observer*> out;
    for (const auto& observer : ServerAccess::observers(*server_))
      out.push_back(observer.get());
    return out;
  }
  [[nodiscard]] std::uint64_t fingerprint() const override {
    return type_fingerprint<typename S::InitialData, typename S::Task, typename S::Result>();
  }

 private:
  std::unique_ptr<S> server_;
};

template <class N>
class NodeAdapter final : public NodeHandle {
 public:
  using Initial = std::optional<typename N::InitialData>;

  void set_initial_data(NodeID node, const SharedInitial& initial) override {
    node_.set_initial_data(node, *std::static_pointer_cast<const Initial>(initial));
  }
  Bytes process(ByteSpan bytes) override {
    const auto task = decode_payload<typename N::Task>(bytes, "a task");
    return to_bytes(node_.process_data_from_server(task));
  }

 private:
  N node_;
};

template <class N>
NodeFactory make_node_factory() {
  NodeFactory factory;
  factory.make = [] { return std::make_unique<NodeAdapter<N>>(); };
  factory.fingerprint =
      type_fingerprint<typename N::InitialData, typename N::Task, typename N::Result>();
  factory.decode_initial = [](const std::optional<Bytes>& bytes) -> SharedInitial {
    using Initial = typename NodeAdapter<N>::Initial;
    if (!bytes) return std::make_shared<const Initial>(std::nullopt);
    return std::make_shared<const Initial>(
        decode_payload<typename N::InitialData>(*bytes, "the initial data"));
  };
  return factory;
}

/// One job of a program, erased: what run_main needs to parse its options and run it.
struct JobEntry {
  std::string name;
  std::string summary;
  std::function<void(OptionSet&)> declare_options;
  std::function<void()> validate_options;
  std::function<std::unique_ptr<ServerHandle>(const Configuration&)> make_server;
  NodeFactory node_factory;
  std::function<int()> run_sequential;  // empty: the job has no --sequential
  /// Where the job's checkpoint goes unless --checkpoint says; empty: it keeps none.
  std::function<std::string()> checkpoint_path;
  /// The file a finished run leaves (written whole, then renamed into place); empty: not said.
  std::function<std::string()> output_path;
};

/// The program's body: parse the command line, pick the role, run, return the exit status.
int run_main(std::vector<JobEntry> jobs, int argc, char** argv);

}  // namespace nc::detail
