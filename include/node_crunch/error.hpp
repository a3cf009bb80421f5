#pragma once
/// Exceptions node_crunch throws. Every message says what failed and, where known,
/// which node and which chunk, so that a log line alone explains the failure.
///
///   throw nc::Error("chunk 7 has 120 values, expected 128").with_node(id).with_chunk(c);
/// what() then ends in " (node 3, chunk 7)". with_node and with_chunk return nc::Error&, so
/// `throw nc::IoError(...).with_chunk(c)` throws a plain nc::Error: name a subclass first and
/// throw the variable to keep its type.
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

/// The command line or the configuration is wrong; the program prints it with the usage hint.
class UsageError : public Error {
 public:
  using Error::Error;
};

/// Bytes from outside (a frame, an archive, a checkpoint) do not decode.
class ProtocolError : public Error {
 public:
  using Error::Error;
};

/// A transport failed (connection refused, MPI error, ...).
class TransportError : public Error {
 public:
  using Error::Error;
};

/// Reading or writing a file failed (HDF5, PNG, checkpoint).
class IoError : public Error {
 public:
  using Error::Error;
};

/// Thrown by a server's process_data_from_node to refuse a result that cannot be right (a
/// band of the wrong size, values out of range). The result costs its sender, not the job:
/// it is logged and dropped, and the chunk is handed out again (it counts as one of its
/// --max-attempts). Any other exception from a server method ends the job.
class BadResult : public Error {
 public:
  using Error::Error;
  // Thrown as `throw nc::BadResult(...).with_chunk(c)`: these keep the type a catch looks for.
  BadResult& with_node(NodeID node) {
    Error::with_node(node);
    return *this;
  }
  BadResult& with_chunk(ChunkID chunk) {
    Error::with_chunk(chunk);
    return *this;
  }
};

/// User code (a Server or Node method) threw; the job ends with this message.
class JobError : public Error {
 public:
  using Error::Error;
};

}  // namespace nc
