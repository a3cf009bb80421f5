# The mixed job (jobs/mixed), whose tasks and results carry text, doubles, floats, integers and
# vectors: alone, in-process and under mpirun it writes the same bits. Its script lives beside
# the mixed-endian test that runs the same job with a node of the other byte order.
if(TARGET nc_job)
  add_test(NAME job_mixed COMMAND ${NC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/cross/test_job_mixed.py)
  set_tests_properties(job_mixed PROPERTIES LABELS integration TIMEOUT 300 PROCESSORS 2
                       ENVIRONMENT "${NC_TEST_ENV}")
  if(NC_WITH_MPI)
    add_test(NAME mpi_job_mixed
             COMMAND ${NC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/cross/test_job_mixed.py --mpi)
    set_tests_properties(mpi_job_mixed PROPERTIES LABELS "integration;mpi" TIMEOUT 400 PROCESSORS 2
                         ENVIRONMENT "${NC_TEST_ENV}")
  endif()
endif()
