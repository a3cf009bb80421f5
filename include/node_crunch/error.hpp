#pragma once
/// Exceptions node_crunch throws. Every message says what failed and, where known,
/// which node and which chunk, so that a log line alone explains the failure.
///
///   throw nc::Error("chunk 7 has 120 values, expected 128").with_node(id).with_chunk(c);
/// what() then ends in " (node 3, chunk 7)". On a subclass, with_node and with_chunk return
/// the subclass: `throw nc::BadResult(...).with_chunk(c)` throws a BadResult.
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// Thread safety: plain values.

#include <optional>
#include <stdexcept>
#include <string>

#include "node_crunch/ids.hpp"

namespace nc {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what), message_(what) {}

  Error& with_node(NodeID node);
  Error& with_chunk(ChunkID chunk);
  [[nodiscard]] std::optional<NodeID> node() const { return node_; }
  [[nodiscard]] std::optional<ChunkID> chunk() const { return chunk_; }
  [[nodiscard]] const char* what() const noexcept override {
    return full_.empty() ? message_.c_str() : full_.c_str();
  }

 private:
  void rebuild();
  std::string message_;
  std::string full_;
  std::optional<NodeID> node_;
  std::optional<ChunkID> chunk_;
};

/// A kind of Error. Its with_node and with_chunk return the kind, so that an exception thrown
/// through them is still caught as what it is.
template <class Kind>
class ErrorOf : public Error {
 public:
  explicit ErrorOf(const std::string& what) : Error(what) {}
  Kind& with_node(NodeID node) {
    Error::with_node(node);
    return static_cast<Kind&>(*this);
  }
  Kind& with_chunk(ChunkID chunk) {
    Error::with_chunk(chunk);
    return static_cast<Kind&>(*this);
  }
};

/// The command line or the configuration is wrong; the program prints it with the usage hint.
class UsageError : public ErrorOf<UsageError> {
 public:
  using ErrorOf::ErrorOf;
};

/// Bytes from outside (a frame, an archive, a checkpoint) do not decode.
class ProtocolError : public ErrorOf<ProtocolError> {
 public:
  using ErrorOf::ErrorOf;
};

/// A transport failed (connection refused, MPI error, ...).
class TransportError : public ErrorOf<TransportError> {
 public:
  using ErrorOf::ErrorOf;
};

/// Reading or writing a file failed (HDF5, PNG, checkpoint).
class IoError : public ErrorOf<IoError> {
 public:
  using ErrorOf::ErrorOf;
};

/// Thrown by a server's process_data_from_node to refuse a result that cannot be right (a
/// band of the wrong size, values out of range). The result costs its sender, not the job:
/// it is logged and dropped, and the chunk is handed out again (it counts as one of its
/// --max-attempts). Any other exception from a server method ends the job.
class BadResult : public ErrorOf<BadResult> {
 public:
  using ErrorOf::ErrorOf;
};

/// User code (a Server or Node method) threw; the job ends with this message.
class JobError : public ErrorOf<JobError> {
 public:
  using ErrorOf::ErrorOf;
};

}  // namespace nc
