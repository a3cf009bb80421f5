// A path tracer on its own: the nodes render bands of a picture, the server assembles it.
// Every random number is derived from the pixel and the sample, so the picture is the same,
// bit for bit, whether one thread renders it or a hundred nodes do.
//
//   mpirun -n 3 ./raytrace --samples 64 --output raytrace.h5 --png raytrace.png
//
//        rank 0 (server)                            ranks 1.. (nodes)
//   build the scene           --Scene (once)-->   keep it
//   cut the picture into bands     --Band-->      trace paths through each pixel
//   put each band in place        <--Pixels--     (linear RGB floats)
//   write raytrace.h5 (+ png) at the end
#include <node_crunch/run.hpp>

#include "raytrace_node.hpp"
#include "raytrace_server.hpp"

int main(int argc, char** argv) {
  return nc::run<raytrace::Server, raytrace::Node>(argc, argv);
}
