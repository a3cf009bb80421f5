// The files a server run keeps beside its checkpoint for the next run: the task journal, which
// survives a cut-off record, and the lock, which a live run holds against a second one and a
// dead run leaves to the next. Also the address file a node reads before every try.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "io/file_lock.hpp"
#include "io/task_journal.hpp"
#include "node_crunch/error.hpp"
#include "scratch.hpp"
#include "transport/tcp/server_address.hpp"

using namespace nc::detail;

namespace {

HandedOut handed(std::uint64_t attempt, std::uint64_t chunk, std::uint64_t token) {
  return HandedOut{nc::AttemptID{attempt}, nc::ChunkID{chunk}, token};
}

}  // namespace

TEST_CASE("a task journal gives a resumed run what earlier runs handed out", "[task_journal]") {
  test::TempDir dir;
  const auto path = dir.file("job.checkpoint.tasks");
  {
    TaskJournal journal(path, false);
    CHECK(journal.earlier().empty());
    journal.append({handed(10, 1, 7), handed(11, 2, 7)});
    journal.append({handed(12, 3, 8)});
  }
  {
    TaskJournal resumed(path, true);
    CHECK(resumed.earlier() ==
          std::vector<HandedOut>{handed(10, 1, 7), handed(11, 2, 7), handed(12, 3, 8)});
    resumed.append({handed(20, 4, 9)});  // appended after the earlier runs' records
  }
  {
    TaskJournal again(path, true);
    CHECK(again.earlier().size() == 4);
    CHECK(again.earlier().back() == handed(20, 4, 9));
  }
  // A run that is not resumed starts the journal afresh.
  TaskJournal fresh(path, false);
  CHECK(fresh.earlier().empty());
  fresh.remove();
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a record cut short is cut off, and a file that is no journal is started afresh",
          "[task_journal]") {
  test::TempDir dir;
  const auto path = dir.file("j.tasks");
  {
    TaskJournal journal(path, false);
    journal.append({handed(1, 1, 5), handed(2, 2, 5)});
  }
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 5);  // a crash mid-write
  {
    TaskJournal cut(path, true);
    CHECK(cut.earlier() == std::vector<HandedOut>{handed(1, 1, 5)});
    cut.append({handed(3, 3, 5)});  // lines up after the whole record
  }
  CHECK(TaskJournal(path, true).earlier() ==
        std::vector<HandedOut>{handed(1, 1, 5), handed(3, 3, 5)});
  {
    std::ofstream junk(path, std::ios::trunc);
    junk << "not a journal at all, but long enough to hold records";
  }
  CHECK(TaskJournal(path, true).earlier().empty());
}

TEST_CASE("a checkpoint lock refuses a second live holder and is taken over from a dead one",
          "[file_lock]") {
  test::TempDir dir;
  const auto path = dir.file("c.lock");
  int ready[2];
  int release[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(release) == 0);
  const pid_t holder = ::fork();
  REQUIRE(holder >= 0);
  if (holder == 0) {  // another server run: it holds the lock until told to end
    int status = 0;
    try {
      FileLock lock(path, "the checkpoint c");
      char c = 'r';
      (void)!::write(ready[1], &c, 1);
      (void)!::read(release[0], &c, 1);
    } catch (...) {
      status = 1;
    }
    ::_exit(status);  // no exit handlers of the test program in the child
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  CHECK_THROWS_AS(FileLock(path, "the checkpoint c"), nc::UsageError);
  CHECK_THROWS_WITH(FileLock(path, "the checkpoint c"),
                    Catch::Contains("the checkpoint c is in use by another server run") &&
                        Catch::Contains("pid " + std::to_string(holder)));
  (void)!::write(release[1], &c, 1);
  int status = -1;
  REQUIRE(::waitpid(holder, &status, 0) == holder);
  CHECK(status == 0);
  {
    FileLock taken(path, "the checkpoint c");  // its holder is gone: the lock is free
    taken.remove();
  }
  CHECK_FALSE(std::filesystem::exists(path));
  for (int fd : {ready[0], ready[1], release[0], release[1]})
    ::close(fd);
}

TEST_CASE("an address file is read on every try, and what is wrong with it is said",
          "[server_address]") {
  test::TempDir dir;
  const auto path = dir.file("server.addr");
  const auto where = ServerAddress::from_file(path);
  CHECK_THAT(where.describe(), Catch::Contains(path));
  CHECK_THROWS_WITH(where.current(), Catch::Contains("no address file"));
  std::ofstream(path) << "";
  CHECK_THROWS_WITH(where.current(), Catch::Contains("is empty"));
  std::ofstream(path) << "nonsense\n";
  CHECK_THROWS_WITH(where.current(), Catch::Contains("no port"));
  std::ofstream(path) << std::string(5000, 'x') << ":1\n";
  CHECK_THROWS_WITH(where.current(), Catch::Contains("first line is long"));
  std::ofstream(path) << "127.0.0.1:7870\n";
  CHECK(where.current().port == 7870);
  std::ofstream(path) << "[::1]:9\r\nignored\n";  // the server moved: read again
  CHECK(where.current().host == "::1");
  CHECK(where.current().port == 9);
  CHECK(ServerAddress::fixed(HostPort{"h", 1}).current().host == "h");
}
