#pragma once
/// A dense row-major grid of values: the usual shape of a job's result.
///
///   nc::Array2D<std::uint32_t> grid(640, 480);     // width, height; zero-filled
///   grid.set(10, 20, 7);  grid.row(20)[10] == 7;
///   grid.set_region(0, 16, 640, 16, band);           // a 640x16 band at y = 16
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// Every index and size is checked; a mismatch throws nc::Error, never writes out of bounds.
/// Thread safety: like std::vector (concurrent reads are fine, writes need the caller's lock).

#include <boost/serialization/vector.hpp>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "node_crunch/detail/zeroed_allocator.hpp"
#include "node_crunch/error.hpp"

namespace nc {

template <class T>
class Array2D {
 public:
  using value_type = T;

  Array2D() = default;
  /// A width x height grid of `fill`. Without a fill, numbers start at zero and the memory is
  /// only touched as values are set.
  Array2D(std::size_t width, std::size_t height)
      : width_(width), height_(height), data_(checked_area(width, height)) {}
  Array2D(std::size_t width, std::size_t height, const T& fill)
      : width_(width), height_(height), data_(checked_area(width, height), fill) {}

  [[nodiscard]] std::size_t width() const { return width_; }
  [[nodiscard]] std::size_t height() const { return height_; }
  [[nodiscard]] std::size_t size() const { return data_.size(); }
  [[nodiscard]] std::span<T> data() { return data_; }
  [[nodiscard]] std::span<const T> data() const { return data_; }

  [[nodiscard]] const T& get(std::size_t x, std::size_t y) const { return data_[index(x, y)]; }
  void set(std::size_t x, std::size_t y, const T& value) { data_[index(x, y)] = value; }

  [[nodiscard]] std::span<T> row(std::size_t y) {
    check_row(y);
    return std::span<T>(data_).subspan(y * width_, width_);
  }
  [[nodiscard]] std::span<const T> row(std::size_t y) const {
    check_row(y);
    return std::span<const T>(data_).subspan(y * width_, width_);
  }

  /// Copies `values` (row-major, w*h of them) into the rectangle at (x, y).
  void set_region(std::size_t x, std::size_t y, std::size_t w, std::size_t h,
                  std::span<const T> values) {
    check_region(x, y, w, h);
    if (values.size() != w * h) {
      throw Error("Array2D::set_region: " + std::to_string(values.size()) + " values for a " +
                  std::to_string(w) + "x" + std::to_string(h) + " region (expected " +
                  std::to_string(w * h) + ")");
    }
    for (std::size_t r = 0; r < h; ++r) {
      const auto source = values.subspan(r * w, w);
      std::copy(source.begin(), source.end(),
                data_.begin() + static_cast<std::ptrdiff_t>((y + r) * width_ + x));
    }
  }

  /// The rectangle at (x, y) as a row-major vector.
  [[nodiscard]] std::vector<T> region(std::size_t x, std::size_t y, std::size_t w,
                                      std::size_t h) const {
    check_region(x, y, w, h);
    std::vector<T> out;
    out.reserve(w * h);
    for (std::size_t r = 0; r < h; ++r) {
      const auto begin = data_.begin() + static_cast<std::ptrdiff_t>((y + r) * width_ + x);
      out.insert(out.end(), begin, begin + static_cast<std::ptrdiff_t>(w));
    }
    return out;
  }

  bool operator==(const Array2D&) const = default;

  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& width_& height_& data_;
    if (data_.size() != width_ * height_) throw Error("Array2D: data does not match its size");
  }

 private:
  static std::size_t checked_area(std::size_t width, std::size_t height) {
    if (height != 0 && width > static_cast<std::size_t>(-1) / sizeof(T) / height) {
      throw Error("Array2D: " + std::to_string(width) + "x" + std::to_string(height) +
                  " is too large");
    }
    return width * height;
  }
  [[nodiscard]] std::size_t index(std::size_t x, std::size_t y) const {
    if (x >= width_ || y >= height_) {
      throw Error("Array2D: (" + std::to_string(x) + ", " + std::to_string(y) +
                  ") is outside the " + std::to_string(width_) + "x" + std::to_string(height_) +
                  " grid");
    }
    return y * width_ + x;
  }
  void check_row(std::size_t y) const {
    if (y >= height_) {
      throw Error("Array2D: row " + std::to_string(y) + " is outside a grid of height " +
                  std::to_string(height_));
    }
  }
  void check_region(std::size_t x, std::size_t y, std::size_t w, std::size_t h) const {
    if (x > width_ || y > height_ || w > width_ - x || h > height_ - y) {
      throw Error("Array2D: region " + std::to_string(w) + "x" + std::to_string(h) + " at (" +
                  std::to_string(x) + ", " + std::to_string(y) + ") is outside the " +
                  std::to_string(width_) + "x" + std::to_string(height_) + " grid");
    }
  }

  std::size_t width_ = 0;
  std::size_t height_ = 0;
  std::vector<T, detail::ZeroedAllocator<T>> data_;
};

}  // namespace nc
