#pragma once
// A node rank's transport: one link to rank 0.

#include "core/node_runtime.hpp"
#include "transport/mpi/adaptive_poller.hpp"
#include "transport/mpi/mpi_channel.hpp"

namespace nc::detail {

class MpiNodeTransport final : public NodeTransport, public NodeLink {
 public:
  MpiNodeTransport(NodeRuntime& runtime, MPI_Comm comm, const Configuration& config);
  ~MpiNodeTransport() override;

  void start() override;
  void drain(std::function<void()> done) override;

 private:
  void send_bytes(Outgoing&& out) override;
  bool poll();
  void wait_for_sends(std::function<void()> done);

  NodeRuntime& runtime_;
  const Configuration& config_;
  MpiChannel channel_;
  AdaptivePoller poller_;
  boost::asio::steady_timer drain_timer_;
  std::chrono::steady_clock::time_point drain_deadline_;
};

}  // namespace nc::detail
