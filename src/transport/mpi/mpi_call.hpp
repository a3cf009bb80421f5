#pragma once
// The one place that turns an MPI error code into an exception with MPI's own words.
// Communicators get MPI_ERRORS_RETURN, so every MPI call goes through mpi_call.

#include <mpi.h>

#include <string>

#include "node_crunch/error.hpp"

namespace nc::detail {

inline void mpi_call(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw TransportError(std::string(what) +
                       " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

}  // namespace nc::detail
