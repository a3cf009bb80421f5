# Checkpoints and resuming interrupted runs.
nc_add_script_test(resume test_resume.py LABELS "integration;fault;mpi;tcp" TIMEOUT 600)
# The server SIGKILLed mid-run and started again with --resume: NODES nodes, KILLS kills in one
# run, on the same port or (file) on a new one that the nodes read from an address file.
foreach(_restart "2;1" "3;1" "5;1" "2;2" "3;2;file" "5;2")
  list(JOIN _restart "_" _name)
  nc_add_script_test(server_restart_${_name} test_server_restart.py ARGS ${_restart}
                     LABELS "integration;fault;tcp" TIMEOUT 300)
endforeach()
if(NC_WITH_MPI)
  nc_add_script_test(server_restart_hybrid test_server_restart_hybrid.py LABELS "integration;fault;tcp;mpi"
                     TIMEOUT 300)
endif()
