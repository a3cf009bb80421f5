# The batch scripts in slurm/ on a real Slurm cluster (label "slurm", never "unit"). They need
# a running cluster: tests/slurm/local-slurm.sh start sets up one on this machine (as root), and
# tests/slurm/local-slurm.sh stop ends it. Without sbatch they are skipped. They share the one
# cluster and depend on when Slurm signals their jobs, so they never run alongside each other.
function(nc_add_slurm_test scenario timeout)
  add_test(NAME slurm_${scenario} COMMAND ${NC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/slurm/test_slurm.py ${scenario})
  set_tests_properties(slurm_${scenario} PROPERTIES LABELS slurm TIMEOUT ${timeout} SKIP_RETURN_CODE 77
                       ENVIRONMENT "${NC_TEST_ENV}" PROCESSORS 2 RESOURCE_LOCK slurm_cluster)
endfunction()

# The scripts run MPI jobs, TCP servers that need a secret, and HDF5 outputs with checkpoints.
if(TARGET nc_job AND NC_WITH_MPI AND NC_WITH_HDF5 AND NC_WITH_SODIUM)
  nc_add_slurm_test(mpi 180)
  nc_add_slurm_test(tcp 180)
  nc_add_slurm_test(hybrid 180)
  nc_add_slurm_test(requeue 300)
  nc_add_slurm_test(cancel 300)
  nc_add_slurm_test(timelimit 420)
  nc_add_slurm_test(server_killed 420)
endif()
