#pragma once
/// Writing pictures: 8-bit grey or RGB PNG files.
///
///   nc::png::write_rgb8("mandel.png", width, height, rgb);   // rgb.size() == 3 * width * height
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// Like the HDF5 writer, the file is written under a temporary name and renamed when complete.
/// Thread safety: free functions, no shared state.

#include <cstdint>
#include <span>
#include <string>

namespace nc::png {

void write_gray8(const std::string& path, std::size_t width, std::size_t height,
                 std::span<const std::uint8_t> pixels);
void write_rgb8(const std::string& path, std::size_t width, std::size_t height,
                std::span<const std::uint8_t> rgb);

}  // namespace nc::png
