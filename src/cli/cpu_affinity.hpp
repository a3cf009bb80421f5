#pragma once
// How many CPUs this process may run on, and a warning when a node has more worker threads than
// that: launchers bind processes to CPUs (Open MPI binds each rank to one core when it starts
// two ranks or fewer), and threads bound to one core take turns instead of running together.

#include <string_view>

namespace nc::detail {

/// The CPUs in this process's affinity mask (sched_getaffinity); 0 if it cannot be read.
unsigned usable_cpus();

/// The warning for `threads` worker threads on `cpus` usable CPUs, or "" when there is room.
/// `how_to_widen` says what gives the process more CPUs where it was started.
std::string oversubscribed_threads_warning(unsigned threads, unsigned cpus,
                                           std::string_view how_to_widen);

/// Logs that warning (if any) for this process.
void warn_if_threads_exceed_cpus(unsigned threads, std::string_view how_to_widen);

}  // namespace nc::detail
