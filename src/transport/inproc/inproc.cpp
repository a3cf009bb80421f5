#include "transport/inproc/inproc.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace nc::detail {

void InprocServerEnd::deliver(const ServerLinkPtr& link, Bytes bytes) {
  std::lock_guard lock(mutex_);
  if (io_ == nullptr) return;
  boost::asio::post(*io_, [engine = engine_, link, bytes = std::move(bytes)] {
    engine->on_message(link, decode(bytes));
  });
}

void InprocServerEnd::close() {
  std::lock_guard lock(mutex_);
  io_ = nullptr;
  engine_ = nullptr;
}

void InprocNodeEnd::deliver(Bytes bytes) {
  std::lock_guard lock(mutex_);
  if (io_ == nullptr) return;
  boost::asio::post(
      *io_, [engine = engine_, bytes = std::move(bytes)] { engine->on_message(decode(bytes)); });
}

void InprocNodeEnd::close() {
  std::lock_guard lock(mutex_);
  io_ = nullptr;
  engine_ = nullptr;
}

// The server's handle on this node: messages go to the node's end.
class InprocNodeTransport::Link final : public ServerLink {
 public:
  Link(std::shared_ptr<InprocNodeEnd> node, unsigned index)
      : node_(std::move(node)), index_(index) {}
  void send(const Message& message) override { node_->deliver(encode(message)); }
  void close(const std::string& /*reason*/) override {}
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
  runtime_.engine().connected(*this);
}

void InprocNodeTransport::drain(std::function<void()> done) {
  node_end_->close();
  done();
}

void InprocNodeTransport::send(const Message& message) {
  server_->deliver(link_, encode(message));
}

}  // namespace nc::detail
