// nc_job: every ready job in one program. `nc_job --list` names them; the first argument picks
// one (default: mandel); `nc_job JOB --help` shows its options.
#include <node_crunch/run.hpp>

#include "empty/empty_job.hpp"
#include "mandel/mandel_node.hpp"
#include "mandel/mandel_server.hpp"

namespace {
struct MandelJob {
  static constexpr const char* name = mandel::Server::job_name;
  static constexpr const char* summary = mandel::Server::job_summary;
  using Server = mandel::Server;
  using Node = mandel::Node;
};
struct EmptyJob {
  static constexpr const char* name = empty::Server::job_name;
  static constexpr const char* summary = empty::Server::job_summary;
  using Server = empty::Server;
  using Node = empty::Node;
};
}  // namespace

int main(int argc, char** argv) {
  return nc::run_jobs<MandelJob, EmptyJob>(argc, argv);
}
