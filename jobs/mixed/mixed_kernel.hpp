#pragma once
// The mixed job's computation, shared by the server (which makes the tasks, checks and writes
// the reports) and the node (which computes them). Only operations that IEEE-754 rounds
// exactly (+, -, *, /, sqrt) touch the numbers, and the file is compiled without
// floating-point contraction: every machine computes the same bits.

#include <cstdint>
#include <string>
#include <vector>

#include "mixed_types.hpp"

namespace mixed {

/// The job's parameters: the polynomial of degree `degree` drawn from `seed`.
Params make_params(const std::string& label, std::uint64_t seed, std::uint64_t degree,
                   std::uint64_t rounds);

/// Task `index` of the job with seed `seed`: the same on every machine.
Item make_item(std::uint64_t seed, std::uint64_t index, std::uint64_t points);

/// The node's work. Each point x starts v = x, then `rounds` times t = v / (1 + |v|),
/// v = scale * p(t) / (1 + t*t): bounded, so no infinity or NaN (whose sign the machines
/// would choose differently) ever comes out of the arithmetic.
Report compute(const Params& params, const Item& item);

/// A hash of the parameters and the task by value (bit patterns of the numbers, bytes of the
/// text): a node that received either damaged reports a different one.
std::uint64_t fingerprint(const Params& params, const Item& item);

/// The report as text, every number exact (hexadecimal floating point, raw bits of the
/// values passed through): two runs agree bit for bit exactly when their texts are equal.
std::string to_text(const Report& report);

}  // namespace mixed
