#include "cli/cpu_affinity.hpp"

#include <fmt/format.h>
#include <sched.h>
#include <spdlog/spdlog.h>

#include <string>

namespace nc::detail {

unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  return static_cast<unsigned>(CPU_COUNT(&set));
}

std::string oversubscribed_threads_warning(unsigned threads, unsigned cpus,
                                           std::string_view how_to_widen) {
  if (cpus == 0 || threads <= cpus) return {};
  return fmt::format(
      "--threads {} but this process may run on only {} CPU{}: its worker threads will take "
      "turns, not run at once. {}",
      threads, cpus, cpus == 1 ? "" : "s", how_to_widen);
}

void warn_if_threads_exceed_cpus(unsigned threads, std::string_view how_to_widen) {
  const std::string warning = oversubscribed_threads_warning(threads, usable_cpus(), how_to_widen);
  if (!warning.empty()) spdlog::warn("{}", warning);
}

}  // namespace nc::detail
