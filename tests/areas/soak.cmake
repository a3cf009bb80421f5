# Chaos soaks (tests/soak/): a 20,480-chunk job while nodes are killed, stopped, continued and
# replaced and strangers send junk, checked bit for bit against the sequential kernel, with the
# server's memory watched. A few minutes each, so "slow" as well; NC_SOAK_SEED=N repeats a
# run's sequence of disturbances (each run prints its seed).
#   ctest --test-dir build -L soak --output-on-failure
function(nc_add_soak_test name script)
  add_test(NAME ${name} COMMAND ${NC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/soak/${script})
  set_tests_properties(${name} PROPERTIES LABELS "soak;slow" TIMEOUT 900 ENVIRONMENT "${NC_TEST_ENV}"
                                          PROCESSORS 2)
endfunction()

# Both check the picture in HDF5 against the sequential kernel's.
if(NC_WITH_HDF5)
  nc_add_soak_test(soak_chaos_tcp test_chaos_tcp.py)
  if(NC_WITH_MPI)
    nc_add_soak_test(soak_chaos_mpi test_chaos_mpi.py)
  endif()
endif()
