#pragma once
// One TCP connection carrying frames: reads into a buffer and cuts it into frames, queues
// outgoing frames and writes them in batches, seals and opens them once keys are set. Never
// blocks the event loop: a slow or silent peer costs an idle socket, nothing more, and a peer
// that does not read what is sent to it is closed once its queue passes the queue limit.
//
// Thread safety: the event loop's thread only. Lifetime: shared_ptr; pending reads and
// writes keep it alive until closed.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/outgoing.hpp"
#include "transport/tcp/frame.hpp"
#include "transport/tcp/secret.hpp"

namespace nc::detail {

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  /// Each complete frame, opened if sealed. Throwing from it closes the connection.
  using OnFrame = std::function<void(Frame&)>;
  /// Once, when the connection ends, with why.
  using OnClosed = std::function<void(const std::string&)>;

  /// With a `budget`, large frames from the peer wait for room in it (see receive_budget.hpp).
  TcpConnection(Socket socket, std::uint64_t max_frame_bytes,
                std::shared_ptr<ReceiveBudget> budget = nullptr);

  void start(OnFrame on_frame, OnClosed on_closed);
  /// The room a message needs around it to become a frame: the header before, the seal's tag
  /// after once keys are set.
  [[nodiscard]] Framing framing() const;
  /// Makes an encoded message (with framing()'s room) a frame, sealed once keys are set, and
  /// queues it.
  void send(Outgoing&& message);
  /// Queues a handshake frame (never sealed).
  void send_handshake(HandshakeKind kind, const Bytes& payload);
  /// From now on every frame is sealed both ways; a plain frame from the peer is refused.
  void seal(const Key& send_key, const Key& receive_key);
  void set_max_frame(std::uint64_t bytes) { reader_.set_max_length(bytes); }
  /// The most bytes queued for the peer and not yet written: a frame that would pass it closes
  /// the connection instead (a single frame always fits an empty queue). Unlimited by default.
  void set_queue_limit(std::uint64_t bytes) { queue_limit_ = bytes; }
  /// Closes once `deadline` has passed, unless set again first; nullopt cancels.
  void set_deadline(std::optional<std::chrono::steady_clock::duration> deadline);
  /// Closes now; queued frames are dropped.
  void close(const std::string& why);
  /// Stops reading (no frame is delivered any more), sends what is queued, then closes: when
  /// it is sent, or after `limit`, or at the deadline already set if that comes first. A
  /// deadline is never pushed back by closing.
  void close_after_flush(const std::string& why, std::chrono::milliseconds limit);

  [[nodiscard]] const std::string& peer() const { return peer_; }
  [[nodiscard]] bool open() const { return !closed_; }
  [[nodiscard]] bool idle() const { return queue_.empty() && !writing_; }
  /// True if it was closed because the peer did not read what was sent to it.
  [[nodiscard]] bool overflowed() const { return overflowed_; }

 private:
  void read();
  void on_read(std::size_t bytes, bool into_frame);
  void take_frames();
  void enqueue(Bytes frame);
  void write();
  void finish(const std::string& why);

  Socket socket_;
  std::string peer_;
  FrameReader reader_;
  std::vector<std::byte> buffer_;
  std::size_t unread_begin_ = 0;  // buffer_[unread_begin_, unread_end_): read, not yet taken
  std::size_t unread_end_ = 0;    // by the reader (it waits for room in the budget)
  bool buffer_filled_ = false;    // the last read filled the whole buffer
  std::deque<Bytes> queue_;
  std::vector<Bytes> in_flight_;
  std::uint64_t queued_bytes_ = 0;  // in queue_ and in_flight_
  std::uint64_t queue_limit_ = UINT64_MAX;
  bool writing_ = false;
  bool closed_ = false;
  bool closing_ = false;  // close_after_flush: no more reading
  bool overflowed_ = false;
  bool close_when_flushed_ = false;
  std::string close_reason_;
  std::optional<std::chrono::steady_clock::time_point> deadline_at_;
  std::optional<FrameSealer> sealer_;
  std::optional<FrameOpener> opener_;
  boost::asio::steady_timer deadline_;
  OnFrame on_frame_;
  OnClosed on_closed_;
};

}  // namespace nc::detail
