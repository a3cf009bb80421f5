#pragma once
// Rank 0's transport: every other rank is a node; one link per rank.
//
// It moves bytes: the engine decodes them and says what they mean. At the end it has the engine
// bid every rank farewell (also those that never registered) and waits, up to the configured
// grace, for each one's goodbye. A rank that does not answer is stopped or
// hung; silent_ranks() names it, so the caller aborts the MPI job instead of hanging in
// MPI_Finalize.

#include <memory>
#include <vector>

#include "core/server_runtime.hpp"
#include "transport/mpi/adaptive_poller.hpp"
#include "transport/mpi/mpi_channel.hpp"

namespace nc::detail {

class MpiServerTransport final : public ServerTransport {
 public:
  MpiServerTransport(ServerRuntime& runtime, MPI_Comm comm, int size, const Configuration& config);
  ~MpiServerTransport() override;

  void start();
  void drain(std::function<void()> done) override;
  /// After drain: ranks that never said goodbye.
  [[nodiscard]] std::vector<int> silent_ranks() const;
  /// The node id a rank registered as, for messages.
  [[nodiscard]] std::string describe_rank(int rank) const;

 private:
  class RankLink;
  bool poll();
  void deliver(int rank, ReceiveBuffer bytes);
  void wait_for_goodbyes(std::function<void()> done);

  ServerRuntime& runtime_;
  const Configuration& config_;
  MpiChannel channel_;
  AdaptivePoller poller_;
  std::vector<std::shared_ptr<RankLink>> links_;  // by rank; [0] unused
  boost::asio::steady_timer drain_timer_;
  std::chrono::steady_clock::time_point drain_deadline_;
};

}  // namespace nc::detail
