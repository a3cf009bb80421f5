#include "mandel_workload.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace farm {

MandelWorkload::MandelWorkload(const Picture& picture, std::uint64_t band_rows, std::string output,
                               bool is_master)
    : picture_(picture), band_rows_(band_rows) {
  if (!is_master) return;
  if (output.empty())
    grid_.resize(picture.width * picture.height);
  else
    writer_ = std::make_unique<BandWriter>(output, picture.width, picture.height, band_rows);
}

std::uint64_t MandelWorkload::task_count() const {
  return (picture_.height + band_rows_ - 1) / band_rows_;
}

std::size_t MandelWorkload::result_bytes() const {
  return kHeader + band_rows_ * picture_.width * sizeof(std::uint32_t);
}

void MandelWorkload::make_task(std::uint64_t index, std::byte* out) {
  const std::uint64_t y = index * band_rows_;
  const std::uint64_t header[2] = {y, std::min(band_rows_, picture_.height - y)};
  std::memcpy(out, header, kHeader);
}

std::size_t MandelWorkload::run_task(const std::byte* task, std::byte* result) {
  std::uint64_t header[2];
  std::memcpy(header, task, kHeader);
  band_.resize(header[1] * picture_.width);
  compute_band(picture_, header[0], header[1], band_.data());
  std::memcpy(result, header, kHeader);
  std::memcpy(result + kHeader, band_.data(), band_.size() * sizeof(std::uint32_t));
  return kHeader + band_.size() * sizeof(std::uint32_t);
}

void MandelWorkload::take_result(const std::byte* result, std::size_t size) {
  std::uint64_t header[2];
  std::memcpy(header, result, kHeader);
  const std::size_t values = header[1] * picture_.width;
  if (header[0] + header[1] > picture_.height || size != kHeader + values * sizeof(std::uint32_t))
    throw std::runtime_error("farm: a malformed band");
  if (writer_) {
    writer_->write(header[0], header[1], result + kHeader);
  } else {
    std::memcpy(grid_.data() + header[0] * picture_.width, result + kHeader,
                values * sizeof(std::uint32_t));
  }
}

}  // namespace farm
