#include <catch2/catch.hpp>
#include <node_crunch/error.hpp>
#include <node_crunch/png.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

TEST_CASE("a PNG file is written with the right signature and size", "[png]") {
  const std::string path = "/tmp/nc-test-" + std::to_string(::getpid()) + ".png";
  std::vector<std::uint8_t> rgb(8 * 4 * 3);
  for (std::size_t i = 0; i < rgb.size(); ++i)
    rgb[i] = static_cast<std::uint8_t>(i);
  nc::png::write_rgb8(path, 8, 4, rgb);
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 24> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  CHECK(head[1] == 'P');
  CHECK(head[2] == 'N');
  CHECK(head[3] == 'G');
  CHECK(head[19] == 8);  // width, big-endian, in the IHDR chunk
  CHECK(head[23] == 4);  // height
  std::filesystem::remove(path);
  std::vector<std::uint8_t> gray(6);
  CHECK_THROWS_WITH(nc::png::write_gray8(path, 2, 2, gray),
                    Catch::Contains("6 bytes for a 2x2 picture"));
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_THROWS_AS(nc::png::write_gray8("/no/such/dir/x.png", 1, 1, std::vector<std::uint8_t>{0}),
                  nc::IoError);
}
