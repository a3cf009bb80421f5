#pragma once
// The mandel job as the insider sees it: the picture from the server's initial data, cut into
// the chunks the server uses, and the payloads of forged results.

#include <node_crunch/array2d_chunk.hpp>
#include <node_crunch/serialization.hpp>

#include <cstdint>
#include <vector>

#include "core/payload.hpp"
#include "mandel/mandel_types.hpp"

namespace nc::insider {

class Picture {
 public:
  /// `initial_data` as a Welcome carries it; chunk_width 0 means full-width bands, as mandel's.
  Picture(ByteSpan initial_data, std::uint64_t chunk_width, std::uint64_t chunk_height)
      : params_(from_bytes<mandel::Params>(initial_data)),
        grid_(params_.width, params_.height, chunk_width == 0 ? params_.width : chunk_width,
              chunk_height) {}

  [[nodiscard]] std::uint64_t chunks() const { return grid_.chunk_count(); }
  [[nodiscard]] std::size_t area(ChunkID chunk) const { return grid_.chunk(chunk).area(); }

  /// A result labelled `label` holding `values` zeros.
  [[nodiscard]] static detail::Payload zeros(ChunkID label, std::size_t values) {
    return detail::Payload(to_bytes(mandel::Pixels{label, std::vector<std::uint32_t>(values, 0)}));
  }

 private:
  mandel::Params params_;
  Array2DChunk<std::uint8_t> grid_;
};

/// The chunk a task of the mandel job asks for.
[[nodiscard]] inline ChunkID chunk_of(const detail::TaskItem& task) {
  return from_bytes<mandel::Band>(task.payload.bytes()).chunk;
}

}  // namespace nc::insider
