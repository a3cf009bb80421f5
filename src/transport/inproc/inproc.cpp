#include "transport/inproc/inproc.hpp"

#include <boost/asio/post.hpp>

namespace nc::detail {

void InprocNodeEnd::deliver(Bytes bytes) {
  std::lock_guard lock(mutex_);
  if (io_ == nullptr) return;
  // mutable: the frame moves into decode, whose payloads keep it and point into it.
  boost::asio::post(*io_, [engine = engine_, bytes = std::move(bytes)]() mutable {
    engine->on_message(decode(std::move(bytes)));
  });
}

void InprocNodeEnd::close() {
  std::lock_guard lock(mutex_);
  io_ = nullptr;
  engine_ = nullptr;
}

void InprocServerEnd::deliver(const ServerLinkPtr& link, Bytes bytes) {
  std::lock_guard lock(mutex_);
  if (io_ == nullptr) return;
  boost::asio::post(*io_, [engine = engine_, link, bytes = std::move(bytes)]() mutable {
    engine->on_message(link, decode(std::move(bytes)));
  });
}

void InprocServerEnd::attach(const std::shared_ptr<InprocNodeEnd>& node) {
  std::lock_guard lock(mutex_);
  if (io_ == nullptr) {
    node->deliver(encode(Finish{}));  // the job is over before this node began
    return;
  }
  nodes_.push_back(node);
}

void InprocServerEnd::close(const Message& farewell) {
  std::vector<std::weak_ptr<InprocNodeEnd>> nodes;
  {
    std::lock_guard lock(mutex_);
    io_ = nullptr;
    engine_ = nullptr;
    nodes.swap(nodes_);
  }
  const Bytes bytes = encode(farewell);
  for (const auto& weak : nodes) {
    if (auto node = weak.lock()) node->deliver(bytes);  // a node that has ended already ignores it
  }
}

InprocServerTransport::InprocServerTransport(ServerRuntime& runtime)
    : runtime_(runtime), end_(std::make_shared<InprocServerEnd>(runtime.io(), runtime.engine())) {
  runtime.add_transport(*this);
}

void InprocServerTransport::drain(std::function<void()> done) {
  const auto& engine = runtime_.engine();
  if (engine.exit_status() == exit_ok)
    end_->close(Finish{});
  else
    end_->close(Abort{engine.summary().failure});
  done();
}

// The server's handle on this node: messages go to the node's end.
class InprocNodeTransport::Link final : public ServerLink {
 public:
  Link(std::shared_ptr<InprocNodeEnd> node, unsigned index)
      : node_(std::move(node)), index_(index) {}
  void send(Message&& message) override { node_->deliver(encode(message)); }
  void close(const std::string& /*reason*/) override {}
  [[nodiscard]] bool stays_reachable() const override { return true; }
  [[nodiscard]] std::string address() const override {
    return "local node " + std::to_string(index_);
  }

 private:
  std::shared_ptr<InprocNodeEnd> node_;
  unsigned index_;
};

InprocNodeTransport::InprocNodeTransport(std::shared_ptr<InprocServerEnd> server,
                                         NodeRuntime& runtime, unsigned index)
    : server_(std::move(server)),
      runtime_(runtime),
      node_end_(std::make_shared<InprocNodeEnd>(runtime.io(), runtime.engine())),
      link_(std::make_shared<Link>(node_end_, index)) {}

InprocNodeTransport::~InprocNodeTransport() {
  node_end_->close();
}

void InprocNodeTransport::start() {
  server_->attach(node_end_);
  runtime_.engine().connected(*this);
}

void InprocNodeTransport::drain(std::function<void()> done) {
  node_end_->close();
  done();
}

void InprocNodeTransport::send(Message&& message) {
  server_->deliver(link_, encode(message));
}

}  // namespace nc::detail
