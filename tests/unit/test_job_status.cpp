#include <catch2/catch.hpp>
#include <node_crunch/job_status.hpp>

#include <string>

TEST_CASE("a job status is a task, Waiting or Finished", "[job_status]") {
  nc::JobStatus<std::string> task = nc::Unfinished{std::string("band 3")};
  CHECK(task.is_unfinished());
  CHECK(task.task() == "band 3");
  CHECK_FALSE(task.chunk());
  nc::JobStatus<std::string> named = nc::Unfinished{std::string("band 4"), nc::ChunkID{4}};
  CHECK(named.chunk() == nc::ChunkID{4});
  nc::JobStatus<std::string> waiting = nc::Waiting{};
  CHECK(waiting.is_waiting());
  CHECK_FALSE(waiting.chunk());
  nc::JobStatus<std::string> finished = nc::Finished{};
  CHECK(finished.is_finished());
  CHECK_FALSE(finished.is_unfinished());
}
