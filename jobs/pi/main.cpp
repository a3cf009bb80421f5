// pi by Monte Carlo on its own: a job that is not a grid. The work is N independent tasks, each
// a batch of random points with a seed of its own; the result is a table with one row per task.
//
//   mpirun -n 3 ./pi --tasks 400 --samples 1000000 --output pi.h5
//
//        rank 0 (server)                          ranks 1.. (nodes)
//   hand out task indices 0..N-1   --Batch-->   draw the task's points from its seed
//   keep each task's count         <--Tally--   count those inside the quarter circle
//   write the table /tasks, print the estimate
#include <node_crunch/run.hpp>

#include "pi_node.hpp"
#include "pi_server.hpp"

int main(int argc, char** argv) {
  return nc::run<pi::Server, pi::Node>(argc, argv);
}
