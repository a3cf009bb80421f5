// The Mandelbrot job on its own: the program a user copies to start a job of their own.
//
//   mpirun -n 3 ./mandel --width 2000 --height 1500 --output mandel.h5 --png mandel.png
//
//        rank 0 (server)                         ranks 1.. (nodes)
//   cut the picture into bands  --Band-->   compute escape times
//   put each band in place      <--Pixels--  (as many at once as there are nodes)
//   write mandel.h5 (+ png) at the end
#include <node_crunch/run.hpp>

#include "mandel_node.hpp"
#include "mandel_server.hpp"

int main(int argc, char** argv) {
  return nc::run<mandel::Server, mandel::Node>(argc, argv);
}
