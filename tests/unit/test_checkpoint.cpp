// The checkpoint file: records survive, a writer that dies keeps what it flushed, a record cut
// short is cut off, and a file of another run or a damaged one is refused with a clear message.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "io/checkpoint.hpp"
#include "node_crunch/error.hpp"
#include "scratch.hpp"

using namespace nc::detail;

namespace {

const RunIdentity kRun{"mandel", {{"--width", "640"}, {"--height", "480"}, {"--output", "x.h5"}}};

nc::Bytes result_for(std::uint64_t chunk) {
  nc::Bytes bytes(static_cast<std::size_t>(chunk % 7 + 1));
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<std::byte>(chunk * 31 + i);
  return bytes;
}

}  // namespace

TEST_CASE("records survive a checkpoint, old and new ones alike", "[checkpoint]") {
  test::TempDir dir("nc-ckpt");
  const auto path = dir.file("run.checkpoint");
  {
    CheckpointWriter writer(path, kRun, {{nc::ChunkID{9}, result_for(9)}});
    for (std::uint64_t c = 0; c < 5; ++c)
      writer.append(nc::ChunkID{c}, result_for(c));
    writer.flush();
    writer.append(nc::ChunkID{5}, {});  // an empty result is a result too
    CHECK(writer.records() == 6);
  }  // the destructor flushes
  const auto records = read_checkpoint(path, kRun);
  REQUIRE(records.size() == 7);
  CHECK(records[0].chunk == nc::ChunkID{9});
  CHECK(records[0].result == result_for(9));
  for (std::uint64_t c = 0; c < 5; ++c) {
    CHECK(records[c + 1].chunk == nc::ChunkID{c});
    CHECK(records[c + 1].result == result_for(c));
  }
  CHECK(records[6].result.empty());
}

TEST_CASE("a checkpoint of another job or other parameters is refused, saying what differs",
          "[checkpoint]") {
  test::TempDir dir("nc-ckpt");
  const auto path = dir.file("run.checkpoint");
  { CheckpointWriter writer(path, kRun, {}); }
  RunIdentity other_job = kRun;
  other_job.job = "raytrace";
  CHECK_THROWS_WITH(read_checkpoint(path, other_job), Catch::Contains("belongs to job 'mandel'"));
  RunIdentity wider = kRun;
  wider.parameters[0].second = "800";
  CHECK_THROWS_AS(read_checkpoint(path, wider), nc::UsageError);
  CHECK_THROWS_WITH(read_checkpoint(path, wider), Catch::Contains("checkpoint: --width=640") &&
                                                      Catch::Contains("this run:   --width=800"));
}

TEST_CASE("a damaged, truncated or foreign file gives a clear error", "[checkpoint]") {
  test::TempDir dir("nc-ckpt");
  const auto garbage = dir.file("garbage.checkpoint");
  std::ofstream(garbage) << "this is not HDF5 at all";
  CHECK_THROWS_WITH(read_checkpoint(garbage, kRun),
                    Catch::Contains(garbage) && Catch::Contains("delete it"));

  const auto path = dir.file("run.checkpoint");
  {
    CheckpointWriter writer(path, kRun, {});
    for (std::uint64_t c = 0; c < 2000; ++c)
      writer.append(nc::ChunkID{c}, result_for(c));
  }
  // A byte changed in the middle: the records after it are whole, so this is damage.
  const auto size = std::filesystem::file_size(path);
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    const char flipped = static_cast<char>(file.peek() ^ 0x5a);
    file.seekp(static_cast<std::streamoff>(size / 2));
    file.put(flipped);
  }
  CHECK_THROWS_WITH(read_checkpoint(path, kRun),
                    Catch::Contains("damaged") && Catch::Contains("delete it"));
  // The header cut: nothing is there to tell which run made it.
  std::filesystem::resize_file(path, 20);
  CHECK_THROWS_WITH(read_checkpoint(path, kRun), Catch::Contains("delete it"));

  CHECK_THROWS_AS(read_checkpoint(dir.file("missing"), kRun), nc::IoError);

  // A checkpoint of an earlier version (HDF5) is named as such.
  const auto old = dir.file("old.checkpoint");
  std::ofstream(old, std::ios::binary) << "\x89HDF\r\n\x1a\n and the rest of an HDF5 file";
  CHECK_THROWS_WITH(read_checkpoint(old, kRun), Catch::Contains("HDF5 format of an earlier"));
}

TEST_CASE("a record cut short at the end is ignored, and the next writer goes on after the rest",
          "[checkpoint]") {
  test::TempDir dir("nc-ckpt");
  const auto path = dir.file("run.checkpoint");
  {
    CheckpointWriter writer(path, kRun, {});
    for (std::uint64_t c = 0; c < 50; ++c)
      writer.append(nc::ChunkID{c}, result_for(c));
  }
  const auto whole = std::filesystem::file_size(path);
  for (const std::uintmax_t cut : {std::uintmax_t{1}, std::uintmax_t{8}, std::uintmax_t{20}}) {
    std::filesystem::resize_file(path, whole - cut);  // the last record cut short by a crash
    const auto records = read_checkpoint(path, kRun);
    REQUIRE(records.size() == 49);
    CHECK(records.back().chunk == nc::ChunkID{48});
    CHECK(records.back().result == result_for(48));
  }
  // A resumed run writes the records it read afresh and appends after them.
  auto records = read_checkpoint(path, kRun);
  {
    CheckpointWriter writer(path, kRun, records);
    writer.append(nc::ChunkID{49}, result_for(49));
  }
  records = read_checkpoint(path, kRun);
  REQUIRE(records.size() == 50);
  CHECK(records.back().result == result_for(49));
}

TEST_CASE("a writer killed without closing leaves every record it flushed", "[checkpoint]") {
  test::TempDir dir("nc-ckpt");
  const auto path = dir.file("run.checkpoint");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    CheckpointWriter writer(path, kRun, {});
    for (std::uint64_t c = 0; c < 300; ++c) {
      writer.append(nc::ChunkID{c}, result_for(c));
      if (c % 10 == 9) writer.flush();
    }
    writer.append(nc::ChunkID{300}, result_for(300));  // queued, never flushed
    ::_exit(0);                                        // no destructor, no close: as if killed
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  const auto records = read_checkpoint(path, kRun);
  REQUIRE(records.size() == 300);
  for (std::uint64_t c = 0; c < 300; ++c)
    CHECK(records[c].result == result_for(c));
}

TEST_CASE("a finished run removes its checkpoint", "[checkpoint]") {
  test::TempDir dir("nc-ckpt");
  const auto path = dir.file("run.checkpoint");
  CheckpointWriter writer(path, kRun, {});
  writer.append(nc::ChunkID{1}, result_for(1));
  writer.flush();
  CHECK(std::filesystem::exists(path));
  writer.remove();
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a record that claims more than the file holds is refused before any allocation",
          "[checkpoint]") {
  test::TempDir dir("nc-ckpt");
  const auto path = dir.file("run.checkpoint");
  { CheckpointWriter writer(path, kRun, {{nc::ChunkID{1}, result_for(1)}}); }
  // One more record whose size says 2^60 bytes, in a file of a few dozen: it is the last and
  // cut short, so it is ignored, and nothing was allocated for it.
  {
    nc::Bytes lying;
    nc::put_le<std::uint64_t>(lying, 2);
    nc::put_le<std::uint64_t>(lying, std::uint64_t{1} << 60);
    lying.resize(lying.size() + 100, std::byte{7});
    std::ofstream(path, std::ios::binary | std::ios::app)
        .write(reinterpret_cast<const char*>(lying.data()),
               static_cast<std::streamsize>(lying.size()));
  }
  const auto records = read_checkpoint(path, kRun);
  REQUIRE(records.size() == 1);
  CHECK(records[0].result == result_for(1));
}

TEST_CASE("a checkpoint that cannot grow (a full disk) says so, and keeps what it had",
          "[checkpoint]") {
  test::TempDir dir("nc-ckpt");
  const auto path = dir.file("run.checkpoint");
  // In a child process whose files may not grow past 256 KiB: 1 MiB of results cannot fit.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    CheckpointWriter writer(path, kRun, {});
    writer.append(nc::ChunkID{1}, result_for(1));
    writer.flush();
    rlimit limit{256 * 1024, 256 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    writer.append(nc::ChunkID{2}, nc::Bytes(std::size_t{1} << 20, std::byte{2}));
    try {
      writer.flush();
      ::_exit(1);  // it should not have succeeded
    } catch (const nc::IoError& e) {
      ::_exit(std::string(e.what()).find("writing the checkpoint " + path) != std::string::npos
                  ? 0
                  : 2);
    } catch (...) {
      ::_exit(3);
    }
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  const auto records = read_checkpoint(path, kRun);
  REQUIRE(records.size() == 1);
  CHECK(records[0].result == result_for(1));
}
