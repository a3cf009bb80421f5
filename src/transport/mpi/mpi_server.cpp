#include "transport/mpi/mpi_server.hpp"

#include <spdlog/spdlog.h>

namespace nc::detail {

class MpiServerTransport::RankLink final : public ServerLink {
 public:
  RankLink(MpiServerTransport& transport, int rank) : transport_(transport), rank_(rank) {}
  void send(Message&& message) override {
    const auto type = type_of(message);
    if (type == MessageType::finish || type == MessageType::abort) told_to_end = true;
    transport_.channel_.send(rank_, encode(message));
    transport_.poller_.wake();
  }
  void close(const std::string& /*reason*/) override {}  // a rank stays reachable
  [[nodiscard]] bool stays_reachable() const override { return true; }
  [[nodiscard]] std::string address() const override { return "rank " + std::to_string(rank_); }

  bool told_to_end = false;

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
      said_bye_(static_cast<std::size_t>(size), false),
      drain_timer_(runtime.io()) {
  links_.resize(static_cast<std::size_t>(size));
  for (int rank = 1; rank < size; ++rank)
    links_[static_cast<std::size_t>(rank)] = std::make_shared<RankLink>(*this, rank);
  said_bye_[0] = true;
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
  Message message;
  try {
    message = decode(bytes);
  } catch (const std::exception& e) {
    spdlog::warn("rank {} sent a malformed message ({}); ignoring it", rank, e.what());
    return;
  }
  if (std::holds_alternative<Bye>(message)) said_bye_[static_cast<std::size_t>(rank)] = true;
  runtime_.engine().on_message(links_[static_cast<std::size_t>(rank)], std::move(message));
}

void MpiServerTransport::drain(std::function<void()> done) {
  // Ranks that never registered (or registered after the end) have not been told yet.
  for (std::size_t rank = 1; rank < links_.size(); ++rank) {
    if (!links_[rank]->told_to_end) links_[rank]->send(Finish{});
  }
  drain_deadline_ = std::chrono::steady_clock::now() + config_.finish_grace;
  wait_for_goodbyes(std::move(done));
}

void MpiServerTransport::wait_for_goodbyes(std::function<void()> done) {
  const bool everyone =
      std::all_of(said_bye_.begin(), said_bye_.end(), [](bool bye) { return bye; });
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
  for (std::size_t rank = 1; rank < said_bye_.size(); ++rank) {
    if (!said_bye_[rank]) silent.push_back(static_cast<int>(rank));
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
