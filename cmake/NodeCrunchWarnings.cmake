# Warnings as an INTERFACE target: our own jobs, tests and benchmarks link it;
# users of the installed library are never forced into -Werror.
add_library(nc_warnings INTERFACE)
target_compile_options(nc_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Werror -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough>)
