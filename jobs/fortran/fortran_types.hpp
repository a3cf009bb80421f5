#pragma once
// What travels between the server and its nodes: the picture once, then rectangles out and
// escape counts back.

#include <node_crunch/array2d_chunk.hpp>
#include <node_crunch/error.hpp>
#include <node_crunch/ids.hpp>

#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <vector>

namespace fortran {

/// Which of the two twin kernels the nodes run.
enum class Kernel : std::uint8_t { fortran, cpp };

/// The picture: sent once to every node.
struct Region {
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  std::uint32_t max_iter = 0;
  double re_min = 0, re_max = 0, im_min = 0, im_max = 0;
  Kernel kernel = Kernel::fortran;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    auto which = static_cast<std::uint8_t>(kernel);
    ar& width& height& max_iter& re_min& re_max& im_min& im_max& which;
    if (which > static_cast<std::uint8_t>(Kernel::cpp)) throw nc::Error("unknown kernel");
    kernel = static_cast<Kernel>(which);
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
struct Counts {
  nc::ChunkID chunk;
  std::vector<std::uint32_t> values;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& chunk& values;
  }
};

struct Types {
  using InitialData = Region;
  using Task = Band;
  using Result = Counts;
};

}  // namespace fortran
