#pragma once
// Nodes as threads of the server's process: for a laptop run and for tests. Messages are
// encoded and decoded as on any other transport (so the codec is always exercised) and cross
// threads by posting to the receiver's event loop.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/node_runtime.hpp"
#include "core/server_runtime.hpp"

namespace nc::detail {

/// A node's end: where the server's messages to it go. Once closed (the node has ended),
/// late messages are dropped instead of being posted to a loop that has gone.
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

/// The server's end, shared by every in-process node. It knows every node end, so that at the
/// end of the job it can tell them all, also a node that had not registered yet.
class InprocServerEnd {
 public:
  InprocServerEnd(boost::asio::io_context& io, ServerEngine& engine) : io_(&io), engine_(&engine) {}
  void deliver(const ServerLinkPtr& link, Bytes bytes);
  void attach(const std::shared_ptr<InprocNodeEnd>& node);
  /// Sends `farewell` to every node end and drops whatever arrives later.
  void close(const Message& farewell);

 private:
  std::mutex mutex_;
  boost::asio::io_context* io_;
  ServerEngine* engine_;
  std::vector<std::weak_ptr<InprocNodeEnd>> nodes_;
};

/// The server side: it owns the shared end and closes it when the engine is done.
class InprocServerTransport final : public ServerTransport {
 public:
  explicit InprocServerTransport(ServerRuntime& runtime);
  [[nodiscard]] const std::shared_ptr<InprocServerEnd>& end() const { return end_; }
  void drain(std::function<void()> done) override;

 private:
  ServerRuntime& runtime_;
  std::shared_ptr<InprocServerEnd> end_;
};

/// One in-process node's transport; lives in the node's thread.
class InprocNodeTransport final : public NodeTransport, public NodeLink {
 public:
  InprocNodeTransport(std::shared_ptr<InprocServerEnd> server, NodeRuntime& runtime,
                      unsigned index);
  ~InprocNodeTransport() override;
  void start() override;
  void drain(std::function<void()> done) override;
  void send(Message&& message) override;

 private:
  class Link;
  std::shared_ptr<InprocServerEnd> server_;
  NodeRuntime& runtime_;
  std::shared_ptr<InprocNodeEnd> node_end_;
  std::shared_ptr<ServerLink> link_;
};

}  // namespace nc::detail
