#include "core/first_result_filter.hpp"

#include <algorithm>

namespace nc::detail {

bool FirstResultFilter::first(ChunkID chunk) {
  if (chunk.value() >= kDense) return sparse_.insert(chunk.value()).second;
  const auto index = static_cast<std::size_t>(chunk.value());
  if (index >= dense_.size()) dense_.resize(std::max(index + 1, dense_.size() * 2));
  if (dense_[index]) return false;
  dense_[index] = true;
  return true;
}

bool FirstResultFilter::seen(ChunkID chunk) const {
  if (chunk.value() >= kDense) return sparse_.contains(chunk.value());
  const auto index = static_cast<std::size_t>(chunk.value());
  return index < dense_.size() && dense_[index];
}

}  // namespace nc::detail
