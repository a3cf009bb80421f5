// The mixed job on its own: tasks and results made of a little of everything a job sends
// (text, doubles and floats, integers of several widths and signs, vectors of numbers and of
// text), written as exact text. Run it with nodes of different machines and compare the file
// with a run on one machine: equal files mean every value crossed over intact.
//
//   ./mixed --server --listen 0.0.0.0:7870 --output mixed.txt     on one machine
//   ./mixed --connect server:7870                                   on each of the others
//   ./mixed --sequential --output alone.txt                         the same file, one process
//
//        server                                  nodes
//   make task t from the seed   --Item-->    iterate the map from each point, split the name,
//   check its fingerprint       <--Report--  sum the offsets, return the odd values untouched
//   write every report in task order
#include <node_crunch/run.hpp>

#include "mixed_node.hpp"
#include "mixed_server.hpp"

int main(int argc, char** argv) {
  return nc::run<mixed::Server, mixed::Node>(argc, argv);
}
