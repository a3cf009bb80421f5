#include "transport/inproc/inproc.hpp"

#include <boost/asio/post.hpp>

namespace nc::detail {

void InprocNodeEnd::deliver(Bytes bytes) {
  std::lock_guard lock(mutex_);
  if (io_ == nullptr) return;
  // mutable: the frame moves into the engine, whose decoded payloads keep it and point into it.
  boost::asio::post(*io_, [engine = engine_, bytes = std::move(bytes)]() mutable {
    engine->on_bytes(std::move(bytes));
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
    engine->on_bytes(link, std::move(bytes));
  });
}

void InprocServerEnd::attach(const std::shared_ptr<InprocNodeEnd>& node,
                             const ServerLinkPtr& link) {
  std::lock_guard lock(mutex_);
  if (io_ == nullptr) {
    node->deliver(late_farewell_);  // the job was over before this node began
    return;
  }
  links_.push_back(link);
}

std::vector<ServerLinkPtr> InprocServerEnd::close(Bytes farewell) {
  std::lock_guard lock(mutex_);
  io_ = nullptr;
  engine_ = nullptr;
  late_farewell_ = std::move(farewell);
  std::vector<ServerLinkPtr> alive;
  for (const auto& weak : links_) {
    if (auto link = weak.lock()) alive.push_back(std::move(link));
  }
  links_.clear();
  return alive;
}

InprocServerTransport::InprocServerTransport(ServerRuntime& runtime)
    : runtime_(runtime), end_(std::make_shared<InprocServerEnd>(runtime.io(), runtime.engine())) {
  runtime.add_transport(*this);
}

void InprocServerTransport::drain(std::function<void()> done) {
  auto& engine = runtime_.engine();
  // A node that has ended already ignores what it is sent.
  for (const auto& link : end_->close(encode(engine.farewell())))
    engine.bid_farewell(link);
  done();
}

// The server's handle on this node: messages go to the node's end.
class InprocNodeTransport::Link final : public ServerLink {
 public:
  Link(std::shared_ptr<InprocNodeEnd> node, unsigned index)
      : node_(std::move(node)), index_(index) {}
  void close(const std::string& /*reason*/) override {}
  [[nodiscard]] bool stays_reachable() const override { return true; }
  [[nodiscard]] std::string address() const override {
    return "local node " + std::to_string(index_);
  }

 private:
  void send_bytes(Outgoing&& out) override { node_->deliver(std::move(out.bytes)); }

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
  server_->attach(node_end_, link_);
  runtime_.engine().connected(*this);
}

void InprocNodeTransport::drain(std::function<void()> done) {
  node_end_->close();
  done();
}

void InprocNodeTransport::send_bytes(Outgoing&& out) {
  server_->deliver(link_, std::move(out.bytes));
}

}  // namespace nc::detail
