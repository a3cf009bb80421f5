#pragma once
// Nodes as threads of the server's process: for a laptop run and for tests. Messages are
// encoded and decoded as on any other transport (so the codec is always exercised); their bytes
// cross threads by posting to the receiver's event loop.

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

/// The server's end, shared by every in-process node. It knows every node's link, so that at
/// the end of the job the engine can bid them all farewell, also a node that had not registered.
class InprocServerEnd {
 public:
  InprocServerEnd(boost::asio::io_context& io, ServerEngine& engine) : io_(&io), engine_(&engine) {}
  void deliver(const ServerLinkPtr& link, Bytes bytes);
  /// A node starts; after close() it is sent the farewell at once.
  void attach(const std::shared_ptr<InprocNodeEnd>& node, const ServerLinkPtr& link);
  /// Drops whatever arrives from now on, keeps `farewell` (encoded) for nodes that start later,
  /// and gives back the links of the nodes still there.
  [[nodiscard]] std::vector<ServerLinkPtr> close(Bytes farewell);

 private:
  std::mutex mutex_;
  boost::asio::io_context* io_;
  ServerEngine* engine_;
  std::vector<std::weak_ptr<ServerLink>> links_;
  Bytes late_farewell_;
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

 private:
  class Link;
  void send_bytes(Outgoing&& out) override;
  std::shared_ptr<InprocServerEnd> server_;
  NodeRuntime& runtime_;
  std::shared_ptr<InprocNodeEnd> node_end_;
  std::shared_ptr<ServerLink> link_;
};

}  // namespace nc::detail
