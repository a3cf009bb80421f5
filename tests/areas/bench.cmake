# Smoke tests of the benchmark suite (label "bench"): tiny sizes, so they show that every
# piece runs and agrees, not how fast it is. bench/ is added after tests/, so its targets are
# named through generator expressions.
if(NC_BUILD_BENCH)
  # Every micro-benchmark runs once, briefly, and must not throw.
  add_test(NAME bench_micro_smoke
           COMMAND $<TARGET_FILE:nc_bench_micro> --benchmark_min_time=0.001
                   --benchmark_filter=Codec|Memcpy|Bytes|SetChunk|HandOutComplete/chunks:1000|NodesLost/chunks:1000)
  set_tests_properties(bench_micro_smoke PROPERTIES LABELS bench TIMEOUT 120)
endif()
if(NC_BUILD_BENCH AND NC_WITH_MPI AND NC_WITH_HDF5)
  # The whole comparison on a tiny picture: every row must run, every empty-task row must
  # report all its tasks, and every Mandelbrot output must equal the sequential kernel's
  # (compare.py exits 1 otherwise). The JSON and the chart are written, to exercise them.
  add_test(NAME bench_compare_smoke
           COMMAND ${NC_PYTHON} ${PROJECT_SOURCE_DIR}/bench/compare.py
                   --build ${PROJECT_BINARY_DIR} --repeat 1 --tasks 2000 --py-tasks 200
                   --dask-tasks 100 --size 128 --max-iter 200
                   --json ${CMAKE_CURRENT_BINARY_DIR}/bench_compare_smoke.json
                   --png ${CMAKE_CURRENT_BINARY_DIR}/bench_compare_smoke.png)
  set_tests_properties(bench_compare_smoke PROPERTIES LABELS bench TIMEOUT 400 PROCESSORS 2
                       ENVIRONMENT "${NC_TEST_ENV}")
endif()
