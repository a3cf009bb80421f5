#pragma once
// What travels between the Mandelbrot server and its nodes.

#include <node_crunch/array2d_chunk.hpp>
#include <node_crunch/ids.hpp>

#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <vector>

namespace mandel {

/// The picture: sent once to every node.
struct Params {
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  std::uint32_t max_iter = 0;
  double re_min = 0, re_max = 0, im_min = 0, im_max = 0;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& width& height& max_iter& re_min& re_max& im_min& im_max;
  }
};

/// One chunk to compute: where it lies in the picture.
struct Band {
  nc::ChunkID chunk;
  nc::ChunkRect rect;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& chunk& rect;
  }
};

/// A computed chunk: escape counts, row by row.
struct Pixels {
  nc::ChunkID chunk;
  std::vector<std::uint32_t> values;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& chunk& values;
  }
};

struct Types {
  using InitialData = Params;
  using Task = Band;
  using Result = Pixels;
};

}  // namespace mandel
