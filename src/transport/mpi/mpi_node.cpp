#include "transport/mpi/mpi_node.hpp"

namespace nc::detail {

MpiNodeTransport::MpiNodeTransport(NodeRuntime& runtime, MPI_Comm comm, const Configuration& config)
    : runtime_(runtime),
      config_(config),
      channel_(comm, config.mpi_piece_bytes),
      poller_(runtime.io(), [this] { return poll(); }),
      drain_timer_(runtime.io()) {}

MpiNodeTransport::~MpiNodeTransport() {
  poller_.stop();
}

void MpiNodeTransport::start() {
  poller_.start();
  runtime_.engine().connected(*this);
}

void MpiNodeTransport::send_bytes(Outgoing&& out) {
  channel_.send(0, std::move(out.bytes));
  poller_.wake();
}

bool MpiNodeTransport::poll() {
  bool active = channel_.progress_sends();
  active |= channel_.receive(
                0, [this](int, ReceiveBuffer bytes) { runtime_.engine().on_bytes(bytes); }, 64) > 0;
  return active;
}

void MpiNodeTransport::drain(std::function<void()> done) {
  drain_deadline_ = std::chrono::steady_clock::now() + config_.finish_grace;
  wait_for_sends(std::move(done));
}

void MpiNodeTransport::wait_for_sends(std::function<void()> done) {
  channel_.progress_sends();
  if (!channel_.sends_pending() || std::chrono::steady_clock::now() >= drain_deadline_) {
    poller_.stop();
    done();
    return;
  }
  drain_timer_.expires_after(std::chrono::milliseconds(1));
  drain_timer_.async_wait([this, done = std::move(done)](const boost::system::error_code&) mutable {
    wait_for_sends(std::move(done));
  });
}

}  // namespace nc::detail
