// Per-node warnings are written up to a budget per window, then only counted.
#include <catch2/catch.hpp>

#include "core/log_budget.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

TEST_CASE("a log budget writes its lines per window, then counts, then opens again",
          "[log_budget]") {
  test::ManualClock clock;
  nc::detail::LogBudget budget(clock.function(), 3, 10s);
  int written = 0;
  for (int i = 0; i < 1000; ++i)
    written += budget.allow() ? 1 : 0;
  CHECK(written == 3);
  clock.advance(10s);
  CHECK(budget.allow());  // a new window (and the count of the old one is said)
}
