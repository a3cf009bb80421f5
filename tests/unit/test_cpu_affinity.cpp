// A node's worker threads against the CPUs its process may use.
#include <sched.h>

#include <catch2/catch.hpp>
#include <thread>

#include "cli/cpu_affinity.hpp"

using nc::detail::oversubscribed_threads_warning;
using nc::detail::usable_cpus;

TEST_CASE("a thread pinned to one CPU sees one usable CPU", "[affinity]") {
  const unsigned all = usable_cpus();
  REQUIRE(all >= 1);
  unsigned pinned = 0;
  std::thread probe([&pinned] {
    cpu_set_t current;
    CPU_ZERO(&current);
    REQUIRE(::sched_getaffinity(0, sizeof current, &current) == 0);
    int first = 0;
    while (!CPU_ISSET(first, &current))
      ++first;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    // The affinity of this thread only: the rest of the test process keeps its CPUs.
    REQUIRE(::sched_setaffinity(0, sizeof one, &one) == 0);
    pinned = usable_cpus();
  });
  probe.join();
  CHECK(pinned == 1);
  CHECK(usable_cpus() == all);
}

TEST_CASE("more threads than CPUs give a warning that says how to widen", "[affinity]") {
  const std::string warning = oversubscribed_threads_warning(2, 1, "Add --bind-to none.");
  CHECK_THAT(warning, Catch::Contains("--threads 2"));
  CHECK_THAT(warning, Catch::Contains("only 1 CPU:"));
  CHECK_THAT(warning, Catch::EndsWith("Add --bind-to none."));
  CHECK_THAT(oversubscribed_threads_warning(8, 4, ""), Catch::Contains("only 4 CPUs:"));
}

TEST_CASE("as many threads as CPUs, or an unknown count, give no warning", "[affinity]") {
  CHECK(oversubscribed_threads_warning(2, 2, "hint").empty());
  CHECK(oversubscribed_threads_warning(1, 8, "hint").empty());
  CHECK(oversubscribed_threads_warning(4, 0, "hint").empty());
}
