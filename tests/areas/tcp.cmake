# TCP transport: real processes on 127.0.0.1, ports chosen by the OS.
nc_add_script_test(tcp_basic test_tcp.py LABELS "integration;tcp" TIMEOUT 240)
nc_add_script_test(tcp_faults test_tcp_faults.py LABELS "integration;tcp;fault" TIMEOUT 300)
nc_add_script_test(tcp_bad_input test_tcp_bad_input.py LABELS "integration;tcp;fault" TIMEOUT 300)
nc_add_script_test(tcp_strangers test_tcp_strangers.py LABELS "integration;tcp;fault" TIMEOUT 300)
nc_add_script_test(tcp_retry test_tcp_retry.py LABELS "integration;tcp" TIMEOUT 120)
if(NC_WITH_MPI)
  nc_add_script_test(tcp_hybrid test_tcp_hybrid.py LABELS "integration;tcp;mpi" TIMEOUT 240)
endif()
