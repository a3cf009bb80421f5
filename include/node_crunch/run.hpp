#pragma once
/// The program's entry point. The same binary is server or node:
/// - under mpirun/srun with more than one rank: rank 0 serves, the others are nodes
///   (give rank 0 --listen ADDR:PORT and it also takes TCP nodes);
/// - `--server --listen ADDR:PORT`: a TCP server; `--connect HOST:PORT`: a TCP node;
/// - alone, without flags: server and nodes as threads of one process.
///
///   int main(int argc, char** argv) { return nc::run<MandelServer, MandelNode>(argc, argv); }
///
/// The server class may declare `using Options = X;` (X has `void declare(nc::OptionSet&)`
/// and optionally `void validate() const`) and a constructor taking `const X&` and optionally
/// `const nc::Configuration&`; it may name itself with `static constexpr const char*
/// job_name` and `job_summary`, and offer `static int run_sequential(const X&)` for
/// `--sequential`. X may say where the job's checkpoint goes with `std::string
/// checkpoint_path() const` (e.g. next to its output file); without it a run keeps a checkpoint
/// only when given --checkpoint FILE. With `std::string output_path() const` as well (the file
/// a finished run leaves), `--resume` of a job whose output is there and whose checkpoint is
/// gone says the job is done, instead of computing it again. The node class must be
/// default-constructible.
///
/// Several jobs in one program, chosen by the first argument (`prog JOB [options]`):
///   struct MandelJob { static constexpr const char* name = "mandel";
///                      static constexpr const char* summary = "...";
///                      using Server = MandelServer; using Node = MandelNode; };
///   return nc::run_jobs<MandelJob, PiJob>(argc, argv);   // the first is the default
///
/// Exit status: 0 done; 1 the job failed; 2 bad command line; 3 interrupted (SIGTERM/SIGINT,
/// resumable with --resume).
/// These examples are compiled and run in tests/unit/test_header_examples.cpp: change both
/// together.

#include <concepts>
#include <memory>
#include <type_traits>
#include <vector>

#include "node_crunch/configuration.hpp"
#include "node_crunch/detail/job_adapters.hpp"
#include "node_crunch/exit_status.hpp"
#include "node_crunch/node.hpp"
#include "node_crunch/options.hpp"
#include "node_crunch/server.hpp"

namespace nc {

namespace detail {

struct NoOptions {
  void declare(OptionSet& /*options*/) {}
};
template <class S>
struct OptionsOf {
  using type = NoOptions;
};
template <class S>
requires requires {
  typename S::Options;
}
struct OptionsOf<S> {
  using type = typename S::Options;
};

template <class S>
const char* job_name() {
  if constexpr (requires { S::job_name; })
    return S::job_name;
  else
    return "job";
}
template <class S>
const char* job_summary() {
  if constexpr (requires { S::job_summary; })
    return S::job_summary;
  else
    return "";
}

template <class S, class Options>
std::unique_ptr<S> make_server(const Options& options, const Configuration& config) {
  if constexpr (std::is_constructible_v<S, const Options&, const Configuration&>) {
    return std::make_unique<S>(options, config);
  } else if constexpr (std::is_constructible_v<S, const Options&>) {
    return std::make_unique<S>(options);
  } else if constexpr (std::is_constructible_v<S, const Configuration&>) {
    return std::make_unique<S>(config);
  } else {
    static_assert(std::is_default_constructible_v<S>,
                  "the server needs a constructor taking (Options, Configuration), (Options), "
                  "(Configuration) or nothing");
    return std::make_unique<S>();
  }
}

template <class S, class N>
JobEntry make_job_entry(const char* name, const char* summary) {
  static_assert(std::is_same_v<typename S::Task, typename N::Task>,
                "server and node disagree on Task");
  static_assert(std::is_same_v<typename S::Result, typename N::Result>,
                "server and node disagree on Result");
  static_assert(std::is_same_v<typename S::InitialData, typename N::InitialData>,
                "server and node disagree on InitialData");
  static_assert(std::is_default_constructible_v<N>, "a Node must be default-constructible");
  using Options = typename OptionsOf<S>::type;
  auto options = std::make_shared<Options>();

  JobEntry entry;
  entry.name = name;
  entry.summary = summary;
  entry.declare_options = [options](OptionSet& set) { options->declare(set); };
  entry.validate_options = [options] {
    if constexpr (requires { options->validate(); }) options->validate();
  };
  entry.make_server = [options](const Configuration& config) -> std::unique_ptr<ServerHandle> {
    return std::make_unique<ServerAdapter<S>>(make_server<S>(*options, config),
                                              config.chunk_policy());
  };
  entry.node_factory = make_node_factory<N>();
  if constexpr (requires {
                  { options->checkpoint_path() } -> std::convertible_to<std::string>;
                }) {
    entry.checkpoint_path = [options] { return std::string(options->checkpoint_path()); };
  }
  if constexpr (requires {
                  { options->output_path() } -> std::convertible_to<std::string>;
                }) {
    entry.output_path = [options] { return std::string(options->output_path()); };
  }
  if constexpr (requires {
                  { S::run_sequential(*options) } -> std::convertible_to<int>;
                }) {
    entry.run_sequential = [options] { return S::run_sequential(*options); };
  }
  return entry;
}

}  // namespace detail

template <class ServerT, class NodeT>
int run(int argc, char** argv) {
  std::vector<detail::JobEntry> jobs;
  jobs.push_back(detail::make_job_entry<ServerT, NodeT>(detail::job_name<ServerT>(),
                                                        detail::job_summary<ServerT>()));
  return detail::run_main(std::move(jobs), argc, argv);
}

template <class... Jobs>
int run_jobs(int argc, char** argv) {
  std::vector<detail::JobEntry> jobs;
  (jobs.push_back(detail::make_job_entry<typename Jobs::Server, typename Jobs::Node>(
       Jobs::name, Jobs::summary)),
   ...);
  return detail::run_main(std::move(jobs), argc, argv);
}

}  // namespace nc
