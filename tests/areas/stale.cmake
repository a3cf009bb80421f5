# A node of another build (stale/stale_mandel.cpp: mandel with one more field in its Result),
# against a real mandel server: refused when it joins, before it takes work
# (tests/integration/test_stale_nodes.py).
add_executable(nc_stale_mandel stale/stale_mandel.cpp)
target_link_libraries(nc_stale_mandel PRIVATE NodeCrunch::node_crunch nc_warnings)
add_dependencies(nc_jobs nc_stale_mandel)
if(NC_WITH_SODIUM)
  nc_add_script_test(tcp_stale_nodes test_stale_nodes.py LABELS "integration;tcp" TIMEOUT 180)
  set_property(TEST tcp_stale_nodes APPEND PROPERTY ENVIRONMENT
               NC_STALE_MANDEL=$<TARGET_FILE:nc_stale_mandel>)
endif()
