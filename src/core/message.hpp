#pragma once
// The messages between a server and its nodes, the same on every transport, and their codec.
//
// Encoding: one byte of MessageType, then the fields in order; integers are fixed-width
// little-endian, byte strings carry a u64 length, texts a u32 length, lists a u32 count.
// A transport adds its own framing (TCP: magic, version, length, MAC; MPI: the envelope).
// Changing any of this changes the protocol: bump kProtocolVersion and the golden-bytes test.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/payload.hpp"
#include "node_crunch/bytes.hpp"
#include "node_crunch/ids.hpp"

namespace nc::detail {

inline constexpr std::uint16_t kProtocolVersion = 3;

enum class MessageType : std::uint8_t {
  hello = 1,            // node -> server: register, or come back under an old id
  welcome = 2,          // server -> node: your id, the heartbeat, the initial data
  reject = 3,           // server -> node: you cannot join (wrong job, wrong protocol)
  request = 4,          // node -> server: send me `count` more tasks
  tasks = 5,            // server -> node: tasks, and how many of your results are safe
  results = 6,          // node -> server: results, and `more` tasks wanted
  heartbeat = 7,        // node -> server: alive
  finish = 8,           // server -> node: the job is done, exit 0
  abort = 9,            // server -> node: the job failed, exit non-zero
  task_failed = 10,     // node -> server: user code threw on a task
  bye = 11,             // node -> server: leaving now
  status_request = 12,  // anyone -> server: statistics, please
  status_reply = 13,    // server -> asker: the statistics (JSON)
};

struct Hello {
  std::uint16_t protocol = kProtocolVersion;
  std::string job;
  NodeID previous;  // 0: a new node
  std::uint32_t threads = 1;
  std::string host;
  std::uint32_t pid = 0;
  // Since protocol 2: the node's job types (type_fingerprint); 0: not given. An older Hello
  // ends before it, so that its sender is told its version is refused, not that it is short.
  std::uint64_t fingerprint = 0;
  // Since protocol 3: the server run (Welcome::instance) that gave `previous`, and the token
  // it gave with it; 0: none. The token proves the id is the sender's own.
  std::uint64_t instance = 0;
  std::uint64_t token = 0;
  bool operator==(const Hello&) const = default;
};
struct Welcome {
  NodeID node;
  std::uint32_t heartbeat_ms = 0;
  std::uint64_t results_seen = 0;     // this node id's first results the server holds for good
  bool fresh = true;                  // false: an old id came back; keep the initial data
  std::optional<Bytes> initial_data;  // only when fresh
  std::uint64_t instance = 0;         // this server run, unique to it (random)
  std::uint64_t token = 0;            // the secret that proves `node` is this node's own
  bool operator==(const Welcome&) const = default;
};
struct Reject {
  std::string reason;
  bool operator==(const Reject&) const = default;
};
struct Request {
  std::uint32_t count = 0;
  bool operator==(const Request&) const = default;
};
/// A chunk label on the wire: the chunk, or none.
inline constexpr std::uint64_t kNoChunk = ~std::uint64_t{0};

struct TaskItem {
  AttemptID attempt;
  std::optional<ChunkID> chunk;  // the job's chunk, when it names one
  Payload payload;
  bool operator==(const TaskItem&) const = default;
};
struct Tasks {
  // The node's first results the server holds for good (on record, when it keeps a checkpoint):
  // the node may forget them. Tasks without items only say this.
  std::uint64_t results_seen = 0;
  std::vector<TaskItem> items;
  bool operator==(const Tasks&) const = default;
};
struct ResultItem {
  AttemptID attempt;
  std::optional<ChunkID> chunk;  // echoed from the task
  std::uint64_t compute_us = 0;  // time the node spent on it
  Payload payload;
  bool operator==(const ResultItem&) const = default;
};
struct Results {
  std::uint32_t more = 0;
  std::vector<ResultItem> items;
  bool operator==(const Results&) const = default;
};
struct Heartbeat {
  bool operator==(const Heartbeat&) const = default;
};
struct Finish {
  bool operator==(const Finish&) const = default;
};
struct Abort {
  std::string reason;
  bool interrupted = false;  // the server was stopped (SIGTERM): resumable, not a failure
  bool operator==(const Abort&) const = default;
};
struct TaskFailed {
  AttemptID attempt;  // 0: not a task (set_initial_data threw)
  std::string what;
  bool operator==(const TaskFailed&) const = default;
};
struct Bye {
  bool operator==(const Bye&) const = default;
};
struct StatusRequest {
  bool operator==(const StatusRequest&) const = default;
};
struct StatusReply {
  std::string json;
  bool operator==(const StatusReply&) const = default;
};

using Message = std::variant<Hello, Welcome, Reject, Request, Tasks, Results, Heartbeat, Finish,
                             Abort, TaskFailed, Bye, StatusRequest, StatusReply>;

/// How many bytes encode() writes for `message`.
[[nodiscard]] std::size_t encoded_size(const Message& message);
/// Appends the encoding of `message` to `out` (reserving what it needs first).
void encode(const Message& message, Bytes& out);
[[nodiscard]] Bytes encode(const Message& message);
/// Decodes one whole message; throws ProtocolError on anything malformed. Its payloads are
/// copies of theirs in `bytes`.
[[nodiscard]] Message decode(ByteSpan bytes);
/// The same, but its payloads point into `bytes`, which `owner` keeps alive: nothing is copied.
/// For a received frame that nothing writes to any more.
[[nodiscard]] Message decode(ByteSpan bytes, const std::shared_ptr<const void>& owner);
/// A received frame, its payloads pointing into it (they share it).
[[nodiscard]] Message decode(const ReceiveBuffer& frame);
/// A frame taken over, its payloads pointing into it (they share it).
[[nodiscard]] Message decode(Bytes&& frame);

[[nodiscard]] MessageType type_of(const Message& message);
[[nodiscard]] const char* name_of(MessageType type);

}  // namespace nc::detail
