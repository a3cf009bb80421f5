#pragma once
// The attacks an authenticated insider plays on a mandel server. Each returns the counts its
// closing line reports ("12 results forged, ended by: the job finished"); each ends by itself:
// by its count, when the job ends, when the server shuts it out, or at target.end.

#include <cstdint>
#include <string>

#include "insider_session.hpp"

namespace nc::insider {

struct Options {
  std::uint64_t times = 0;          // rounds, tasks or connections; 0: the attack's own default
  std::uint64_t chunk_width = 0;    // the server's --chunk-width (0: full-width bands)
  std::uint64_t chunk_height = 16;  // the server's --chunk-height
  std::uint32_t batch = 2;          // tasks asked for at once by the attacks that answer tasks
  std::uint32_t threads = 1;        // worker threads claimed in the hello (what a node may hold)
  std::size_t host_bytes = std::size_t{4} << 20;  // long-hello's host name
};

// Results (insider_results.cpp)
/// Results for attempts never handed to the insider, zeros labelled with real chunks; `times`
/// rounds (10), each covering twice the chunk count of attempt ids on either side of the one
/// task it asks for (ids are sequential from a random start: that one shows where they are).
std::string forge_unknown(const Target& target, const Options& options);
/// Takes tasks and answers each with a full band of zeros labelled as the next chunk.
std::string relabel(const Target& target, const Options& options);
/// Takes tasks and answers each with a band of 3 values.
std::string missized(const Target& target, const Options& options);
/// Takes tasks and answers each with a band that names chunk 10^6.
std::string chunk_1e6(const Target& target, const Options& options);
/// Takes tasks and reports each as failed, three times, and one attempt it never had.
std::string task_failed_flood(const Target& target, const Options& options);
/// Reports that set_initial_data failed (attempt 0), as a node whose initial data is bad would.
std::string task_failed_initial(const Target& target, const Options& options);

// Holdings (insider_holdings.cpp)
/// Asks for 2^32-1 tasks, then only heartbeats until the job ends.
std::string hoard(const Target& target, const Options& options);
/// `times` (3) times: registers anew, asks for 2^32-1 tasks, disconnects once some arrive.
std::string hoard_drop(const Target& target, const Options& options);

// Identities (insider_identities.cpp)
/// `times` (10) hellos, each on a new connection, with a host name of host_bytes bytes.
std::string long_hello(const Target& target, const Options& options);
/// `count` registrations, each on a new connection that closes once welcomed.
std::string registrations(const Target& target, std::uint64_t count);
/// A hello that claims node `id` from a new connection.
std::string steal_id(const Target& target, std::uint64_t id);

}  // namespace nc::insider
