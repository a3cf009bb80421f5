# The MPI launcher the tests use, and the flags and environment it needs (after find_package(MPI)).
#
#   NC_MPI_FLAVOUR     openmpi | mpich | other: the launcher's implementation
#   NC_MPI_LAUNCH_ENV  environment the launcher needs in the tests (Open MPI as root)
#   MPIEXEC_PREFLAGS   set to --oversubscribe for Open MPI unless the user set it
#
# Debian installs Open MPI and MPICH side by side; -DMPI_EXECUTABLE_SUFFIX=.mpich (or .openmpi)
# makes FindMPI pick that one's compiler wrappers and mpiexec together. A launcher of one
# implementation starting programs built with the other starts N separate one-rank jobs, so a
# mismatch is refused here rather than discovered as puzzling test failures.

function(_nc_mpi_header_flavour out)
  set(flavour other)
  foreach(dir IN LISTS MPI_CXX_HEADER_DIR MPI_CXX_INCLUDE_DIRS)
    if(EXISTS "${dir}/mpi.h")
      file(STRINGS "${dir}/mpi.h" _lines REGEX "#define[ \t]+(OMPI_MAJOR_VERSION|MPICH_VERSION)[ \t]")
      if(_lines MATCHES "OMPI_MAJOR_VERSION")
        set(flavour openmpi)
      elseif(_lines MATCHES "MPICH_VERSION")
        set(flavour mpich)  # MPICH and its derivatives (Intel MPI, MVAPICH) use Hydra
      endif()
      break()
    endif()
  endforeach()
  set(${out} ${flavour} PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${MPIEXEC_EXECUTABLE} --version OUTPUT_VARIABLE _nc_mpiexec_version ERROR_QUIET
                TIMEOUT 30)
if(_nc_mpiexec_version MATCHES "Open MPI|OpenRTE")
  set(NC_MPI_FLAVOUR openmpi)
elseif(_nc_mpiexec_version MATCHES "HYDRA")
  set(NC_MPI_FLAVOUR mpich)
else()
  set(NC_MPI_FLAVOUR other)
endif()

_nc_mpi_header_flavour(_nc_mpi_library_flavour)
if(NOT NC_MPI_FLAVOUR STREQUAL "other" AND NOT _nc_mpi_library_flavour STREQUAL "other"
   AND NOT NC_MPI_FLAVOUR STREQUAL _nc_mpi_library_flavour)
  message(FATAL_ERROR
    "MPI: the library is ${_nc_mpi_library_flavour} (${MPI_CXX_HEADER_DIR}) but the launcher "
    "${MPIEXEC_EXECUTABLE} is ${NC_MPI_FLAVOUR}: its ranks would not find each other. Select both "
    "with -DMPI_EXECUTABLE_SUFFIX=.mpich or .openmpi in a fresh build directory, or set "
    "MPIEXEC_EXECUTABLE to the launcher of ${_nc_mpi_library_flavour}.")
endif()

set(NC_MPI_LAUNCH_ENV "")
if(NC_MPI_FLAVOUR STREQUAL "openmpi")
  if(NOT MPIEXEC_PREFLAGS)
    # Tests start more ranks than this machine may have cores.
    set(MPIEXEC_PREFLAGS --oversubscribe CACHE STRING "Flags for the MPI launcher" FORCE)
  endif()
  # Open MPI refuses root without these; MPICH's Hydra runs as root and oversubscribes as it is.
  set(NC_MPI_LAUNCH_ENV OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)
endif()
message(STATUS "MPI launcher for the tests: ${MPIEXEC_EXECUTABLE} (${NC_MPI_FLAVOUR}) ${MPIEXEC_PREFLAGS}")
