#include "transport/tcp/connection.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "node_crunch/error.hpp"

namespace nc::detail {
namespace {
// Most connections carry handshakes, heartbeats and small tasks: they read into 4 KiB. A read
// that fills the buffer means bulk data is flowing, and the buffer doubles, up to 64 KiB. So a
// server with a thousand quiet nodes holds 4 MiB of read buffers, not 64.
// A connection whose frames are all smaller (a stranger) never needs more than the first.
constexpr std::size_t kFirstReadBuffer = kSmallPayload;
constexpr std::size_t kLargestReadBuffer = std::size_t{64} << 10;

std::string describe(const boost::asio::ip::tcp::socket& socket) {
  boost::system::error_code error;
  const auto remote = socket.remote_endpoint(error);
  if (error) return "an unknown peer";
  const auto address = remote.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(remote.port());
}
}  // namespace

TcpConnection::TcpConnection(Socket socket, std::uint64_t max_frame_bytes,
                             std::shared_ptr<ReceiveBudget> budget)
    : socket_(std::move(socket)),
      peer_(describe(socket_)),
      reader_(max_frame_bytes, std::move(budget)),
      buffer_(kFirstReadBuffer),
      deadline_(socket_.get_executor()) {
  boost::system::error_code ignored;
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);  // small frames must not wait
}

void TcpConnection::start(OnFrame on_frame, OnClosed on_closed) {
  on_frame_ = std::move(on_frame);
  on_closed_ = std::move(on_closed);
  read();
}

void TcpConnection::read() {
  if (closed_ || closing_) return;
  // A payload that is larger than the read buffer is received straight into its frame, where
  // it stays until the last payload decoded from it goes: it is not copied on the way.
  const auto direct = reader_.direct();
  const bool into_frame = direct.size() >= buffer_.size();
  const boost::asio::mutable_buffer target =
      into_frame ? boost::asio::buffer(direct.data(), direct.size()) : boost::asio::buffer(buffer_);
  socket_.async_read_some(target, [self = shared_from_this(), into_frame](
                                      const boost::system::error_code& error, std::size_t bytes) {
    if (self->closed_) return;
    if (error) {
      self->finish(
          error == boost::asio::error::eof
              ? (self->reader_.in_frame() ? "closed in the middle of a frame" : "connection closed")
              : error.message());
      return;
    }
    if (self->closing_) return;  // what a closing connection is sent is not read any more
    self->on_read(bytes, into_frame);
  });
}

void TcpConnection::on_read(std::size_t bytes, bool into_frame) {
  buffer_filled_ = !into_frame && bytes == buffer_.size();
  if (into_frame) {
    try {
      reader_.filled(bytes);
    } catch (const std::exception& e) {
      finish(e.what());
      return;
    }
  } else {
    unread_begin_ = 0;
    unread_end_ = bytes;
  }
  take_frames();
}

// Feeds the reader what was read and delivers the frames it completes; then reads on, or, if
// the next frame waits for room in the receive budget, goes on from here once it has room.
void TcpConnection::take_frames() {
  try {
    for (;;) {
      unread_begin_ +=
          reader_.feed(ByteSpan(buffer_.data() + unread_begin_, unread_end_ - unread_begin_));
      auto frame = reader_.next();
      if (!frame) break;
      const bool sealed = (frame->header.flags & kFrameSealed) != 0;
      if (sealed != opener_.has_value()) {
        throw ProtocolError(sealed ? "a sealed frame before the handshake"
                                   : "an unsealed frame on a sealed connection");
      }
      if (opener_)
        frame->payload.shrink(opener_->open(frame->header_bytes, frame->payload.writable()));
      on_frame_(*frame);
      if (closed_ || closing_) return;
    }
  } catch (const std::exception& e) {
    finish(e.what());
    return;
  }
  if (reader_.waiting()) {
    reader_.when_room([self = shared_from_this()] {
      boost::asio::post(self->socket_.get_executor(), [self] {
        if (!self->closed_ && !self->closing_) self->take_frames();
      });
    });
    return;
  }
  // No read is outstanding here, so the buffer may move. It grows only for a peer whose frames
  // may be larger than it.
  if (buffer_filled_ && buffer_.size() < kLargestReadBuffer &&
      reader_.max_length() > buffer_.size())
    buffer_.resize(buffer_.size() * 2);
  buffer_filled_ = false;
  read();
}

Framing TcpConnection::framing() const {
  return Framing{kFrameHeaderSize, sealer_ ? kSealTagSize : 0};
}

void TcpConnection::send(Outgoing&& message) {
  if (closed_) return;
  if (message.bytes.size() < kFrameHeaderSize)
    throw std::logic_error("a message encoded without room for the frame header");
  Bytes frame = std::move(message.bytes);
  write_frame_header(frame.data(), FrameHeader{message.kind, 0, 0});
  std::uint64_t length = frame.size() - kFrameHeaderSize;
  if (sealer_) {
    length += kSealTagSize;
    store_le<std::uint16_t>(frame.data() + 6, kFrameSealed);
  }
  store_le<std::uint64_t>(frame.data() + 8, length);
  if (sealer_) sealer_->seal(frame);
  enqueue(std::move(frame));
}

void TcpConnection::send_handshake(HandshakeKind kind, const Bytes& payload) {
  if (closed_) return;
  Bytes frame;
  put_frame_header(frame, FrameHeader{static_cast<std::uint8_t>(kind), 0, payload.size()});
  frame.insert(frame.end(), payload.begin(), payload.end());
  enqueue(std::move(frame));
}

void TcpConnection::enqueue(Bytes frame) {
  if (closed_ || overflowed_) return;
  if (queued_bytes_ > 0 && queued_bytes_ + frame.size() > queue_limit_) {
    // The peer has not read the last queue's worth: drop what waits and close. Not from here:
    // the caller (the engine, sending) must not see the connection close under its feet.
    overflowed_ = true;
    const std::string why = "does not read what is sent to it (" + std::to_string(queued_bytes_) +
                            " bytes queued, and " + std::to_string(frame.size()) +
                            " more would pass the limit of " + std::to_string(queue_limit_) + ")";
    queue_.clear();
    boost::asio::post(socket_.get_executor(),
                      [self = shared_from_this(), why] { self->finish(why); });
    return;
  }
  queued_bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  write();
}

void TcpConnection::seal(const Key& send_key, const Key& receive_key) {
  sealer_.emplace(send_key);
  opener_.emplace(receive_key);
}

void TcpConnection::write() {
  if (writing_ || queue_.empty() || closed_) return;
  // Everything queued goes in one system call.
  in_flight_.clear();
  std::vector<boost::asio::const_buffer> buffers;
  while (!queue_.empty()) {
    in_flight_.push_back(std::move(queue_.front()));
    queue_.pop_front();
    buffers.emplace_back(in_flight_.back().data(), in_flight_.back().size());
  }
  writing_ = true;
  boost::asio::async_write(
      socket_, buffers,
      [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
        self->writing_ = false;
        for (const auto& frame : self->in_flight_)
          self->queued_bytes_ -= std::min<std::uint64_t>(frame.size(), self->queued_bytes_);
        self->in_flight_.clear();
        if (self->closed_) return;
        if (error) {
          self->finish("writing failed: " + error.message());
          return;
        }
        if (self->close_when_flushed_ && self->queue_.empty()) {
          self->finish(self->close_reason_);
          return;
        }
        self->write();
      });
}

void TcpConnection::set_deadline(std::optional<std::chrono::steady_clock::duration> deadline) {
  deadline_.cancel();
  deadline_at_.reset();
  if (!deadline || closed_) return;
  deadline_at_ = std::chrono::steady_clock::now() + *deadline;
  deadline_.expires_at(*deadline_at_);
  deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    if (error) return;
    self->finish(self->close_when_flushed_ ? self->close_reason_ : "said nothing useful in time");
  });
}

void TcpConnection::close(const std::string& why) {
  finish(why);
}

void TcpConnection::close_after_flush(const std::string& why, std::chrono::milliseconds limit) {
  if (closed_) return;
  closing_ = true;
  reader_.stop_waiting();
  if (idle() || overflowed_) {
    finish(why);
    return;
  }
  close_when_flushed_ = true;
  close_reason_ = why;
  if (!deadline_at_ || std::chrono::steady_clock::now() + limit < *deadline_at_)
    set_deadline(limit);
}

void TcpConnection::finish(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  deadline_.cancel();
  reader_.stop_waiting();
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  queue_.clear();
  if (on_closed_) {
    auto callback = std::move(on_closed_);
    on_closed_ = nullptr;
    callback(why);
  }
}

}  // namespace nc::detail
