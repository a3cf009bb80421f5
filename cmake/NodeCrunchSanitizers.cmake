# NC_SANITIZE instruments every target this project builds (library, jobs, tests):
# sanitizers must see both sides of every call to be useful.
if(NC_SANITIZE)
  string(REPLACE "," ";" _nc_sanitizers "${NC_SANITIZE}")
  foreach(_s IN LISTS _nc_sanitizers)
    if(NOT _s MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "NC_SANITIZE: unknown sanitizer '${_s}' (address, undefined, thread)")
    endif()
  endforeach()
  if("thread" IN_LIST _nc_sanitizers AND "address" IN_LIST _nc_sanitizers)
    message(FATAL_ERROR "NC_SANITIZE: thread and address cannot be combined")
  endif()
  add_compile_options(-fsanitize=${NC_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  if("thread" IN_LIST _nc_sanitizers AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Boost.Asio uses std::atomic_thread_fence, which TSan does not model; GCC warns about
    # every use in Asio's headers. TSan still checks everything else.
    add_compile_options(-Wno-tsan)
  endif()
  add_link_options(-fsanitize=${NC_SANITIZE})
  # Tests about memory use itself (lazily mapped pages) skip their sizes under an allocator
  # that touches what it hands out.
  add_compile_definitions(NC_SANITIZED=1)
endif()

# Fuzzing: every target is instrumented for coverage (the fuzz targets add the fuzzer's main).
if(NC_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
