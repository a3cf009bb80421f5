# The gallery of jobs (jobs/raytrace, jobs/pi, jobs/fortran): each runs alone and under mpirun
# and gives the same output; raytrace is the same bits on any number of nodes and threads; pi
# lands within its error bars and numpy reproduces its rows; the Fortran kernel equals its C++
# twin. Each script runs its MPI checks only when given --mpi.
if(TARGET nc_job)
  nc_add_script_test(job_pi test_job_pi.py LABELS integration TIMEOUT 300)
  nc_add_script_test(job_raytrace test_job_raytrace.py LABELS integration TIMEOUT 400)
  if(NC_WITH_MPI)
    nc_add_script_test(mpi_job_pi test_job_pi.py ARGS --mpi LABELS "integration;mpi" TIMEOUT 400)
    nc_add_script_test(mpi_job_raytrace test_job_raytrace.py ARGS --mpi LABELS "integration;mpi"
                       TIMEOUT 600)
  endif()
  if(TARGET fortran_kernel_agree)
    add_test(NAME job_fortran_kernels_agree COMMAND fortran_kernel_agree)
    set_tests_properties(job_fortran_kernels_agree PROPERTIES LABELS unit TIMEOUT 120)
    nc_add_script_test(job_fortran test_job_fortran.py LABELS integration TIMEOUT 300)
    if(NC_WITH_MPI)
      nc_add_script_test(mpi_job_fortran test_job_fortran.py ARGS --mpi LABELS "integration;mpi"
                         TIMEOUT 400)
    endif()
  endif()
endif()
