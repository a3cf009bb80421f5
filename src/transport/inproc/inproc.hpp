#pragma once
// Nodes as threads of the server's process: for a laptop run and for tests. Messages are
// encoded and decoded as on any other transport (so the codec is always exercised) and cross
// threads by posting to the receiver's event loop.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "core/node_runtime.hpp"
#include "core/server_runtime.hpp"

namespace nc::detail {

/// The server's end, shared by every in-process node. Once closed, late messages are dropped
/// instead of being posted to a loop that has gone.
class InprocServerEnd : public std::enable_shared_from_this<InprocServerEnd> {
 public:
  InprocServerEnd(boost::asio::io_context& io, ServerEngine& engine) : io_(&io), engine_(&engine) {}
  void deliver(const ServerLinkPtr& link, Bytes bytes);
  void close();

 private:
  std::mutex mutex_;
  boost::asio::io_context* io_;
  ServerEngine* engine_;
};

/// A node's end: where the server's messages to it go.
class InprocNodeEnd {
 public:
  InprocNodeEnd(boost::asio::io_context& io, NodeEngine& engine) : io_(&io), engine_(&engine) {}
  void deliver(Bytes bytes);
  void close();

 private:
  std::mutex mutex_;
  boost::asio::io_context* io_;
  NodeEngine* engine_;
};

/// One in-process node's transport; lives in the node's thread.
class InprocNodeTransport final : public NodeTransport, public NodeLink {
 public:
  InprocNodeTransport(std::shared_ptr<InprocServerEnd> server, NodeRuntime& runtime,
                      unsigned index);
  ~InprocNodeTransport() override;
  void start() override;
  void drain(std::function<void()> done) override;
  void send(const Message& message) override;

 private:
  class Link;
  std::shared_ptr<InprocServerEnd> server_;
  NodeRuntime& runtime_;
  std::shared_ptr<InprocNodeEnd> node_end_;
  std::shared_ptr<ServerLink> link_;
};

/// The server side needs no draining: every message is already in the receiver's queue.
class InprocServerTransport final : public ServerTransport {
 public:
  void drain(std::function<void()> done) override { done(); }
};

}  // namespace nc::detail
