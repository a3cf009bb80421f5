#pragma once
/// node_crunch: spread a computation over many processes and machines.
/// Everything a job needs in one include.

#include "node_crunch/array2d.hpp"
#include "node_crunch/array2d_chunk.hpp"
#include "node_crunch/build_config.hpp"
#include "node_crunch/chunk_list.hpp"
#include "node_crunch/configuration.hpp"
#include "node_crunch/error.hpp"
#include "node_crunch/ids.hpp"
#include "node_crunch/job_status.hpp"
#include "node_crunch/node.hpp"
#include "node_crunch/observer.hpp"
#include "node_crunch/options.hpp"
#include "node_crunch/progress.hpp"
#include "node_crunch/run.hpp"
#include "node_crunch/serialization.hpp"
#include "node_crunch/server.hpp"
#if NC_HAVE_HDF5
#include "node_crunch/hdf5.hpp"
#endif
#if NC_HAVE_PNG
#include "node_crunch/png.hpp"
#endif
