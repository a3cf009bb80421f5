#include "node_crunch/png.hpp"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <memory>
#include <string>

#include "io/atomic_file.hpp"
#include "node_crunch/error.hpp"

namespace nc::png {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const {
    if (file != nullptr) std::fclose(file);
  }
};

void write(const std::string& path, std::size_t width, std::size_t height,
           std::span<const std::uint8_t> pixels, int channels, int color_type) {
  if (width == 0 || height == 0) throw IoError("cannot write an empty picture to " + path);
  if (pixels.size() != width * height * static_cast<std::size_t>(channels)) {
    throw IoError("writing " + path + ": " + std::to_string(pixels.size()) + " bytes for a " +
                  std::to_string(width) + "x" + std::to_string(height) + " picture");
  }
  detail::AtomicFile on_disk(path);
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(on_disk.temporary().c_str(), "wb"));
  if (!file) throw IoError("writing " + path + ": cannot create " + on_disk.temporary());

  static thread_local std::string error;
  error.clear();
  png_structp png = png_create_write_struct(
      PNG_LIBPNG_VER_STRING, nullptr,
      [](png_structp p, png_const_charp message) {
        error = message;
        png_longjmp(p, 1);
      },
      [](png_structp, png_const_charp) {});
  if (png == nullptr) throw IoError("writing " + path + ": libpng could not start");
  png_infop info = png_create_info_struct(png);
  // libpng reports errors by longjmp: nothing with a destructor may live between here and there.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw IoError("writing " + path + ": " + error);
  }
  png_init_io(png, file.get());
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  const std::size_t stride = width * static_cast<std::size_t>(channels);
  for (std::size_t y = 0; y < height; ++y)
    png_write_row(png, pixels.data() + y * stride);
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  if (std::fflush(file.get()) != 0 || std::ferror(file.get()))
    throw IoError("writing " + path + ": write error");
  if (std::fclose(file.release()) != 0) throw IoError("writing " + path + ": write error");
  on_disk.commit();
}

}  // namespace

void write_gray8(const std::string& path, std::size_t width, std::size_t height,
                 std::span<const std::uint8_t> pixels) {
  write(path, width, height, pixels, 1, PNG_COLOR_TYPE_GRAY);
}

void write_rgb8(const std::string& path, std::size_t width, std::size_t height,
                std::span<const std::uint8_t> rgb) {
  write(path, width, height, rgb, 3, PNG_COLOR_TYPE_RGB);
}

}  // namespace nc::png
