// nc_job: every ready job in one program. `nc_job --list` names them; the first argument picks
// one (default: mandel); `nc_job JOB --help` shows its options.
#include <node_crunch/run.hpp>

#include "empty/empty_job.hpp"
#include "mandel/mandel_node.hpp"
#include "mandel/mandel_server.hpp"
#include "mixed/mixed_node.hpp"
#include "mixed/mixed_server.hpp"
#include "pi/pi_node.hpp"
#include "pi/pi_server.hpp"
#include "raytrace/raytrace_node.hpp"
#include "raytrace/raytrace_server.hpp"
#if NC_JOB_FORTRAN
#include "fortran/fortran_node.hpp"
#include "fortran/fortran_server.hpp"
#endif

namespace {
// A job of the gallery, named and summarised by its server.
template <class S, class N>
struct Job {
  static constexpr const char* name = S::job_name;
  static constexpr const char* summary = S::job_summary;
  using Server = S;
  using Node = N;
};
using MandelJob = Job<mandel::Server, mandel::Node>;
using EmptyJob = Job<empty::Server, empty::Node>;
using RaytraceJob = Job<raytrace::Server, raytrace::Node>;
using PiJob = Job<pi::Server, pi::Node>;
using MixedJob = Job<mixed::Server, mixed::Node>;
#if NC_JOB_FORTRAN
using FortranJob = Job<fortran::Server, fortran::Node>;
#endif
}  // namespace

int main(int argc, char** argv) {
#if NC_JOB_FORTRAN
  return nc::run_jobs<MandelJob, EmptyJob, RaytraceJob, PiJob, MixedJob, FortranJob>(argc, argv);
#else
  return nc::run_jobs<MandelJob, EmptyJob, RaytraceJob, PiJob, MixedJob>(argc, argv);
#endif
}
