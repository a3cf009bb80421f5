// nc::hdf5::write_table / read_table: a table is a one-dimensional compound dataset, one member
// per column, written under a temporary name and renamed into place when complete.
#include <hdf5.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <node_crunch/hdf5.hpp>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>
#include "scratch.hpp"

namespace {

nc::hdf5::Columns sample_table() {
  constexpr auto kMaxU = std::numeric_limits<std::uint64_t>::max();
  constexpr auto kMinI = std::numeric_limits<std::int64_t>::min();
  constexpr auto kInf = std::numeric_limits<double>::infinity();
  return {{"task", std::vector<std::uint64_t>{0, 1, 2, kMaxU}},
          {"offset", std::vector<std::int64_t>{-1, 0, kMinI, 7}},
          {"estimate", std::vector<double>{3.25, -0.0, kInf, 5e-324}}};
}

// The file's own description of the table, read with the HDF5 C API rather than read_table.
struct Layout {
  int dimensions = -1;
  hsize_t rows = 0;
  std::vector<std::string> names;
  std::vector<bool> little_endian_64;  // per member: an 8-byte little-endian number
};

Layout inspect(const std::string& path, const std::string& dataset) {
  Layout layout;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const hid_t data = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  REQUIRE(data >= 0);
  const hid_t type = H5Dget_type(data);
  REQUIRE(H5Tget_class(type) == H5T_COMPOUND);
  const hid_t space = H5Dget_space(data);
  layout.dimensions = H5Sget_simple_extent_ndims(space);
  H5Sget_simple_extent_dims(space, &layout.rows, nullptr);
  for (int m = 0; m < H5Tget_nmembers(type); ++m) {
    char* name = H5Tget_member_name(type, static_cast<unsigned>(m));
    layout.names.emplace_back(name);
    H5free_memory(name);
    const hid_t member = H5Tget_member_type(type, static_cast<unsigned>(m));
    layout.little_endian_64.push_back(H5Tget_size(member) == 8 &&
                                      H5Tget_order(member) == H5T_ORDER_LE);
    H5Tclose(member);
  }
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(data);
  H5Fclose(file);
  return layout;
}

}  // namespace

TEST_CASE("a table and its attributes survive HDF5, column by column", "[hdf5][table]") {
  test::TempDir dir("nc-hdf5-table");
  const std::string path = dir.file("table.h5");
  const auto table = sample_table();
  nc::hdf5::write_table(
      path, "tasks", table,
      {{"tasks", std::uint64_t{4}}, {"estimate", 3.14159}, {"job", std::string("pi")}});

  CHECK(nc::hdf5::read_table(path, "tasks") == table);

  const Layout layout = inspect(path, "tasks");
  CHECK(layout.dimensions == 1);
  CHECK(layout.rows == 4);
  CHECK(layout.names == std::vector<std::string>{"task", "offset", "estimate"});
  CHECK(layout.little_endian_64 == std::vector<bool>{true, true, true});

  const auto attributes = nc::hdf5::read_attributes(path, "tasks");
  REQUIRE(attributes.size() == 3);
  CHECK(attributes[0] == std::pair<std::string, nc::hdf5::AttributeValue>{"estimate", 3.14159});
  CHECK(attributes[1] ==
        std::pair<std::string, nc::hdf5::AttributeValue>{"job", std::string("pi")});
  CHECK(attributes[2] ==
        std::pair<std::string, nc::hdf5::AttributeValue>{"tasks", std::uint64_t{4}});
  CHECK(dir.entries() == 1);  // no temporary file left behind
}

TEST_CASE("a table may have no rows", "[hdf5][table]") {
  test::TempDir dir("nc-hdf5-table");
  const nc::hdf5::Columns empty{{"task", std::vector<std::uint64_t>{}},
                                {"estimate", std::vector<double>{}}};
  nc::hdf5::write_table(dir.file("empty.h5"), "tasks", empty);
  CHECK(nc::hdf5::read_table(dir.file("empty.h5"), "tasks") == empty);
  CHECK(inspect(dir.file("empty.h5"), "tasks").rows == 0);
}

TEST_CASE("a malformed table is refused before anything is written", "[hdf5][table]") {
  test::TempDir dir("nc-hdf5-table");
  const std::string path = dir.file("bad.h5");
  using nc::hdf5::Columns;
  CHECK_THROWS_WITH(nc::hdf5::write_table(path, "t", Columns{}),
                    Catch::Contains("at least one column"));
  CHECK_THROWS_WITH(nc::hdf5::write_table(path, "t", Columns{{"", std::vector<double>{1.0}}}),
                    Catch::Contains("has no name"));
  CHECK_THROWS_WITH(
      nc::hdf5::write_table(
          path, "t", Columns{{"a", std::vector<double>{1.0}}, {"a", std::vector<std::int64_t>{2}}}),
      Catch::Contains("two columns are named 'a'"));
  CHECK_THROWS_WITH(nc::hdf5::write_table(path, "t",
                                          Columns{{"a", std::vector<double>{1.0, 2.0}},
                                                  {"b", std::vector<std::uint64_t>{2}}}),
                    Catch::Contains("column 'b' has 1 rows but column 'a' has 2"));
  CHECK(dir.entries() == 0);
}

TEST_CASE("a table that fails half-way leaves the earlier file as it was", "[hdf5][table]") {
  test::TempDir dir("nc-hdf5-table");
  const std::string path = dir.file("result.h5");
  const auto good = sample_table();
  nc::hdf5::write_table(path, "tasks", good);
  // The rows are written, then the second attribute of the same name fails.
  CHECK_THROWS_AS(
      nc::hdf5::write_table(path, "tasks", nc::hdf5::Columns{{"x", std::vector<double>{9.0}}},
                            {{"same", 1.0}, {"same", 2.0}}),
      nc::IoError);
  CHECK(nc::hdf5::read_table(path, "tasks") == good);
  CHECK(dir.entries() == 1);

  // In a child process whose files may not grow past 64 KiB: a 24 MB table cannot fit.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{64 * 1024, 64 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      const std::size_t rows = 1'000'000;
      nc::hdf5::write_table(path, "tasks",
                            {{"a", std::vector<std::uint64_t>(rows, 1)},
                             {"b", std::vector<std::int64_t>(rows, -1)},
                             {"c", std::vector<double>(rows, 0.5)}});
      ::_exit(1);  // it should not have succeeded
    } catch (const nc::IoError& e) {
      ::_exit(std::string(e.what()).find(path) != std::string::npos ? 0 : 2);
    } catch (...) {
      ::_exit(3);
    }
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(nc::hdf5::read_table(path, "tasks") == good);
  CHECK(dir.entries() == 1);  // the temporary file is gone
}

TEST_CASE("reading a table says what is wrong", "[hdf5][table]") {
  test::TempDir dir("nc-hdf5-table");
  const std::string path = dir.file("grid.h5");
  nc::hdf5::write_array2d(path, "grid", nc::Array2D<std::uint32_t>(3, 2));
  CHECK_THROWS_WITH(nc::hdf5::read_table(path, "grid"), Catch::Contains("not a table"));
  CHECK_THROWS_WITH(nc::hdf5::read_table(path, "missing"), Catch::Contains("'missing'"));
  CHECK_THROWS_AS(nc::hdf5::read_table(dir.file("absent.h5"), "tasks"), nc::IoError);
  CHECK_THROWS_WITH(nc::hdf5::write_table(dir.file("no/such/dir/t.h5"), "t",
                                          nc::hdf5::Columns{{"a", std::vector<double>{1.0}}}),
                    Catch::Contains("no/such/dir/t.h5"));
}
