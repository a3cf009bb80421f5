#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <node_crunch/hdf5.hpp>

#include <csignal>
#include <filesystem>
#include "scratch.hpp"

namespace {

nc::Array2D<std::uint32_t> pattern(std::size_t w, std::size_t h, std::uint32_t salt) {
  nc::Array2D<std::uint32_t> grid(w, h);
  for (std::size_t y = 0; y < h; ++y) {
    for (std::size_t x = 0; x < w; ++x)
      grid.set(x, y, static_cast<std::uint32_t>(x * 31 + y * 7 + salt));
  }
  return grid;
}

}  // namespace

TEST_CASE("a grid and its attributes survive HDF5, compressed or not", "[hdf5]") {
  test::TempDir dir("nc-hdf5");
  const auto grid = pattern(300, 200, 1);
  nc::hdf5::write_array2d(dir.file("plain.h5"), "mandel", grid,
                          {{"max_iter", std::uint64_t{1000}},
                           {"re_min", -2.0},
                           {"offset", std::int64_t{-3}},
                           {"job", std::string("mandel")}});
  CHECK(nc::hdf5::read_array2d<std::uint32_t>(dir.file("plain.h5"), "mandel") == grid);
  const auto attributes = nc::hdf5::read_attributes(dir.file("plain.h5"), "mandel");
  REQUIRE(attributes.size() == 4);  // listed by name
  CHECK(attributes[0] ==
        std::pair<std::string, nc::hdf5::AttributeValue>{"job", std::string("mandel")});
  CHECK(attributes[1] ==
        std::pair<std::string, nc::hdf5::AttributeValue>{"max_iter", std::uint64_t{1000}});
  CHECK(attributes[2] ==
        std::pair<std::string, nc::hdf5::AttributeValue>{"offset", std::int64_t{-3}});
  CHECK(attributes[3] == std::pair<std::string, nc::hdf5::AttributeValue>{"re_min", -2.0});

  nc::hdf5::write_array2d(dir.file("small.h5"), "mandel", grid, {}, {.deflate = 6});
  CHECK(nc::hdf5::read_array2d<std::uint32_t>(dir.file("small.h5"), "mandel") == grid);
  CHECK(std::filesystem::file_size(dir.file("small.h5")) <
        std::filesystem::file_size(dir.file("plain.h5")));

  nc::Array2D<double> reals(3, 2, 0.5);
  nc::hdf5::write_array2d(dir.file("reals.h5"), "values", reals);
  CHECK(nc::hdf5::read_array2d<double>(dir.file("reals.h5"), "values") == reals);
  CHECK(dir.entries() == 3);  // no temporary files left behind
}

TEST_CASE("HDF5 errors say what failed", "[hdf5]") {
  test::TempDir dir("nc-hdf5");
  const auto grid = pattern(4, 4, 0);
  CHECK_THROWS_WITH(nc::hdf5::write_array2d(dir.file("no/such/dir/x.h5"), "d", grid),
                    Catch::Contains("writing"));
  CHECK_THROWS_AS(nc::hdf5::read_array2d<std::uint32_t>(dir.file("missing.h5"), "d"), nc::IoError);
  nc::hdf5::write_array2d(dir.file("x.h5"), "d", grid);
  CHECK_THROWS_WITH(nc::hdf5::read_array2d<std::uint32_t>(dir.file("x.h5"), "other"),
                    Catch::Contains("'other'"));
  CHECK_THROWS_AS(nc::hdf5::write_array2d(dir.file("y.h5"), "d", grid, {}, {.deflate = 12}),
                  nc::IoError);
}

TEST_CASE("a full disk gives a clear error and leaves the earlier file as it was", "[hdf5]") {
  test::TempDir dir("nc-hdf5");
  const auto good = pattern(64, 64, 5);
  const std::string path = dir.file("result.h5");
  nc::hdf5::write_array2d(path, "mandel", good);

  // In a child process whose files may not grow past 64 KiB: the 4 MiB grid cannot fit.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{64 * 1024, 64 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      nc::hdf5::write_array2d(path, "mandel", pattern(1024, 1024, 9));
      ::_exit(1);  // it should not have succeeded
    } catch (const nc::IoError& e) {
      ::_exit(std::string(e.what()).find("writing " + path) != std::string::npos ? 0 : 2);
    } catch (...) {
      ::_exit(3);
    }
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(nc::hdf5::read_array2d<std::uint32_t>(path, "mandel") == good);
  CHECK(dir.entries() == 1);  // the temporary file is gone
}

TEST_CASE(
    "the incremental writer fills a grid region by region and renames it into place at the end",
    "[hdf5]") {
  test::TempDir dir("nc-hdf5");
  const std::string path = dir.file("bands.h5");
  {
    nc::hdf5::Array2DWriter<std::uint32_t> writer(path, "mandel", 10, 6,
                                                  {.chunk_rows = 2, .chunk_cols = 10});
    CHECK_FALSE(std::filesystem::exists(path));  // only the temporary file exists while writing
    const std::vector<std::uint32_t> band(20, 7);
    writer.write_region(0, 4, 10, 2, band);  // out of order
    writer.write_region(0, 0, 10, 2, std::vector<std::uint32_t>(20, 3));
    CHECK_THROWS_WITH(writer.write_region(5, 5, 10, 2, band), Catch::Contains("does not fit"));
    CHECK_THROWS_WITH(writer.write_region(0, 2, 10, 2, std::vector<std::uint32_t>(5)),
                      Catch::Contains("5 values"));
    writer.commit({{"done", std::uint64_t{1}}});
    CHECK_THROWS_AS(writer.commit(), nc::IoError);
  }
  const auto grid = nc::hdf5::read_array2d<std::uint32_t>(path, "mandel");
  CHECK(grid.get(9, 5) == 7);
  CHECK(grid.get(0, 1) == 3);
  CHECK(grid.get(4, 3) == 0);  // never written: the fill value
  CHECK(dir.entries() == 1);
}

TEST_CASE("an abandoned writer leaves nothing behind, and an unwritable path fails at once",
          "[hdf5]") {
  test::TempDir dir("nc-hdf5");
  {
    nc::hdf5::Array2DWriter<double> writer(dir.file("abandoned.h5"), "d", 4, 4);
    writer.write_region(0, 0, 4, 1, std::vector<double>(4, 1.0));
  }
  CHECK(dir.entries() == 0);
  CHECK_THROWS_WITH(nc::hdf5::Array2DWriter<double>("/nonexistent/dir/x.h5", "d", 4, 4),
                    Catch::Contains("/nonexistent/dir/x.h5"));
}
