// A Fortran kernel in a node_crunch job: existing numerical code plugs in unchanged. The node
// calls a Fortran subroutine (escape_band.f90, Mandelbrot escape times of a band of rows)
// through iso_c_binding; everything else is the usual C++ server and node.
//
//   mpirun -n 3 ./fortran --output fortran.h5                 the Fortran kernel
//   mpirun -n 3 ./fortran --kernel cpp --output cpp.h5        its C++ twin: the same bits
//
//        rank 0 (server)                       ranks 1.. (nodes)
//   cut the picture into bands  --Band-->   C++ node --> Fortran subroutine (bind(C))
//   write each band as it comes <--Counts--  escape counts, row-major
#include <node_crunch/run.hpp>

#include "fortran_node.hpp"
#include "fortran_server.hpp"

int main(int argc, char** argv) {
  return nc::run<fortran::Server, fortran::Node>(argc, argv);
}
