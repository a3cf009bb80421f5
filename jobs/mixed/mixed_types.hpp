#pragma once
// What travels between the mixed job's server and its nodes: a little of everything a real job
// sends (text, doubles and floats, signed and unsigned integers of several widths, vectors of
// numbers and of text), so that a job with nodes of another byte order, word size or char
// signedness shows that each kind arrives intact.

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace mixed {

/// Sent once to every node: the map every task iterates, and a label.
struct Params {
  std::string label;
  std::vector<double> coefficients;  // p(t) = c[0] + c[1] t + c[2] t^2 + ...
  double scale = 1;
  std::uint64_t rounds = 1;  // iterations of the map per point
  std::int16_t shift = 0;    // added to every offset

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& label& coefficients& scale& rounds& shift;
  }
};

/// One task.
struct Item {
  std::uint64_t index = 0;
  std::string name;                   // words joined by '-', some of them not ASCII
  std::vector<double> points;         // where the map starts
  std::vector<double> keep;           // sent back untouched: -0, subnormals, infinities, NaNs
  std::vector<std::int32_t> offsets;  // summed, with `sign`, into Report::sums
  float weight = 1;
  std::int8_t sign = 1;
  bool reverse = false;  // the title carries the name backwards

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& index& name& points& keep& offsets& weight& sign& reverse;
  }
};

/// A task's result.
struct Report {
  std::uint64_t index = 0;
  std::string title;               // "label:name" (the name reversed if asked)
  std::vector<std::string> words;  // the name split at '-'
  std::vector<double> values;      // per point x: map^rounds(x) + sqrt(|x|) (mixed_kernel.hpp)
  std::vector<double> kept;        // Item::keep as the node received it
  std::vector<float> weighted;     // float(value) * weight
  std::vector<std::int64_t> sums;  // running sums of sign * (offset + shift)
  double total = 0;                // the values summed in order
  std::uint64_t fingerprint = 0;   // of everything the node received, by value

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& index& title& words& values& kept& weighted& sums& total& fingerprint;
  }
};

struct Types {
  using InitialData = Params;
  using Task = Item;
  using Result = Report;
};

}  // namespace mixed
