#pragma once
/// A grid cut into rectangular chunks, filled in as the chunks' results come back.
///
///   nc::Array2DChunk<std::uint32_t> image(4096, 4096, 4096, 16);  // full-width bands of 16 rows
///   nc::ChunkRect c = image.chunk(nc::ChunkID{3});  // x 0, y 48, 4096 wide, 16 high
///   image.set_chunk(nc::ChunkID{3}, pixels);        // pixels.size() must be c.area()
/// Chunks are numbered row by row; chunks on the right and bottom edges may be smaller.
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// Thread safety: like Array2D.

#include <cstddef>
#include <span>
#include <string>

#include "node_crunch/array2d.hpp"
#include "node_crunch/error.hpp"
#include "node_crunch/ids.hpp"

namespace nc {

/// Where one chunk lies in the grid.
struct ChunkRect {
  std::size_t x = 0;
  std::size_t y = 0;
  std::size_t width = 0;
  std::size_t height = 0;
  [[nodiscard]] std::size_t area() const { return width * height; }
  bool operator==(const ChunkRect&) const = default;

  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& x& y& width& height;
  }
};

template <class T>
class Array2DChunk {
 public:
  Array2DChunk(std::size_t width, std::size_t height, std::size_t chunk_width,
               std::size_t chunk_height)
      : array_(width, height), chunk_width_(chunk_width), chunk_height_(chunk_height) {
    if (width == 0 || height == 0) throw Error("Array2DChunk: the grid must not be empty");
    if (chunk_width == 0 || chunk_height == 0) {
      throw Error("Array2DChunk: chunks must be at least 1x1, got " + std::to_string(chunk_width) +
                  "x" + std::to_string(chunk_height));
    }
    chunks_x_ = (width + chunk_width - 1) / chunk_width;
    chunks_y_ = (height + chunk_height - 1) / chunk_height;
  }

  [[nodiscard]] std::size_t chunk_count() const { return chunks_x_ * chunks_y_; }
  [[nodiscard]] std::size_t chunks_x() const { return chunks_x_; }
  [[nodiscard]] std::size_t chunks_y() const { return chunks_y_; }

  [[nodiscard]] ChunkRect chunk(ChunkID id) const {
    if (id.value() >= chunk_count()) {
      throw Error("Array2DChunk: there is no chunk " + std::to_string(id.value()) + " (" +
                  std::to_string(chunk_count()) + " chunks)")
          .with_chunk(id);
    }
    const std::size_t cx = id.value() % chunks_x_;
    const std::size_t cy = id.value() / chunks_x_;
    ChunkRect rect;
    rect.x = cx * chunk_width_;
    rect.y = cy * chunk_height_;
    rect.width = std::min(chunk_width_, array_.width() - rect.x);
    rect.height = std::min(chunk_height_, array_.height() - rect.y);
    return rect;
  }

  /// Stores a chunk's result; `values` holds its width * height values, row by row.
  void set_chunk(ChunkID id, std::span<const T> values) {
    const ChunkRect rect = chunk(id);
    if (values.size() != rect.area()) {
      throw Error("Array2DChunk: chunk " + std::to_string(id.value()) + " is " +
                  std::to_string(rect.width) + "x" + std::to_string(rect.height) +
                  " but its result has " + std::to_string(values.size()) + " values")
          .with_chunk(id);
    }
    array_.set_region(rect.x, rect.y, rect.width, rect.height, values);
  }

  [[nodiscard]] const Array2D<T>& array() const { return array_; }
  [[nodiscard]] Array2D<T>& array() { return array_; }

 private:
  Array2D<T> array_;
  std::size_t chunk_width_;
  std::size_t chunk_height_;
  std::size_t chunks_x_ = 0;
  std::size_t chunks_y_ = 0;
};

}  // namespace nc
