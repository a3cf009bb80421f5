// TCP roles: placeholders until the TCP transport exists; they say so plainly.
#include "cli/roles.hpp"
#include "node_crunch/error.hpp"

namespace nc::detail {

int run_tcp_server(const JobEntry& /*job*/, const Configuration& /*config*/) {
  throw UsageError("this build has no TCP transport yet (--server)");
}
int run_tcp_node(const JobEntry& /*job*/, const Configuration& /*config*/) {
  throw UsageError("this build has no TCP transport yet (--connect)");
}
int run_status_client(const Configuration& /*config*/) {
  throw UsageError("this build has no TCP transport yet (--status)");
}

}  // namespace nc::detail
