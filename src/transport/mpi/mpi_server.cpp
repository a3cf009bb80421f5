#include "transport/mpi/mpi_server.hpp"

#include <algorithm>

namespace nc::detail {

class MpiServerTransport::RankLink final : public ServerLink {
 public:
  RankLink(MpiServerTransport& transport, int rank) : transport_(transport), rank_(rank) {}
  void send_bytes(Outgoing&& out) override {
    transport_.channel_.send(rank_, std::move(out.bytes));
    transport_.poller_.wake();
  }
  void close(const std::string& /*reason*/) override {}  // a rank stays reachable
  [[nodiscard]] bool stays_reachable() const override { return true; }
  [[nodiscard]] std::string address() const override { return "rank " + std::to_string(rank_); }

 private:
  MpiServerTransport& transport_;
  int rank_;
};

MpiServerTransport::MpiServerTransport(ServerRuntime& runtime, MPI_Comm comm, int size,
                                       const Configuration& config)
    : runtime_(runtime),
      config_(config),
      channel_(comm, config.mpi_piece_bytes),
      poller_(runtime.io(), [this] { return poll(); }),
      drain_timer_(runtime.io()) {
  links_.resize(static_cast<std::size_t>(size));
  for (int rank = 1; rank < size; ++rank)
    links_[static_cast<std::size_t>(rank)] = std::make_shared<RankLink>(*this, rank);
  runtime.add_transport(*this);
}

MpiServerTransport::~MpiServerTransport() {
  poller_.stop();
}

void MpiServerTransport::start() {
  poller_.start();
}

bool MpiServerTransport::poll() {
  bool active = channel_.progress_sends();
  active |= channel_.receive(
                MPI_ANY_SOURCE,
                [this](int rank, ReceiveBuffer bytes) { deliver(rank, std::move(bytes)); }, 64) > 0;
  return active;
}

void MpiServerTransport::deliver(int rank, ReceiveBuffer bytes) {
  if (rank <= 0 || static_cast<std::size_t>(rank) >= links_.size()) return;
  runtime_.engine().on_bytes(links_[static_cast<std::size_t>(rank)], bytes);
}

void MpiServerTransport::drain(std::function<void()> done) {
  // Ranks that never registered (or registered after the end) have not been told yet.
  for (std::size_t rank = 1; rank < links_.size(); ++rank)
    runtime_.engine().bid_farewell(links_[rank]);
  drain_deadline_ = std::chrono::steady_clock::now() + config_.finish_grace;
  wait_for_goodbyes(std::move(done));
}

void MpiServerTransport::wait_for_goodbyes(std::function<void()> done) {
  const bool everyone = std::all_of(links_.begin() + 1, links_.end(),
                                    [](const auto& link) { return link->said_goodbye(); });
  if ((everyone && !channel_.sends_pending()) ||
      std::chrono::steady_clock::now() >= drain_deadline_) {
    poller_.stop();
    done();
    return;
  }
  drain_timer_.expires_after(std::chrono::milliseconds(5));
  drain_timer_.async_wait([this, done = std::move(done)](const boost::system::error_code&) mutable {
    wait_for_goodbyes(std::move(done));
  });
}

std::vector<int> MpiServerTransport::silent_ranks() const {
  std::vector<int> silent;
  for (std::size_t rank = 1; rank < links_.size(); ++rank) {
    if (!links_[rank]->said_goodbye()) silent.push_back(static_cast<int>(rank));
  }
  return silent;
}

std::string MpiServerTransport::describe_rank(int rank) const {
  const auto& link = links_.at(static_cast<std::size_t>(rank));
  if (const auto node = runtime_.engine().node_of(*link))
    return "rank " + std::to_string(rank) + " (" + to_string(*node) + ")";
  return "rank " + std::to_string(rank);
}

}  // namespace nc::detail
