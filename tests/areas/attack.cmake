# Attacks by an authenticated insider: nc_insider, a registered node of the mandel job built
# from the library's own handshake, frames and codec, plays one attack against a real server
# with two honest nodes (tests/integration/test_attacks.py). Each test is one attack; each
# checks that the picture is exact, the server exits 0 and its memory stays bounded.
add_executable(nc_insider
  attack/insider.cpp attack/insider_link.cpp attack/insider_session.cpp
  attack/insider_results.cpp attack/insider_holdings.cpp attack/insider_identities.cpp)
target_link_libraries(nc_insider PRIVATE NodeCrunch::node_crunch nc_job_mandel nc_warnings CLI11::CLI11)
# The insider is made of the library's internals: the TCP transport and the message codec.
target_include_directories(nc_insider PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(nc_insider PRIVATE BOOST_ASIO_NO_DEPRECATED)
# GCC 12 inlines Boost.Asio's scheduler (the link runs its own loop) and CLI11's option parsing
# into these and warns of null dereferences there that cannot happen.
set_source_files_properties(attack/insider.cpp attack/insider_link.cpp TARGET_DIRECTORY nc_insider
  PROPERTIES COMPILE_OPTIONS "-Wno-null-dereference")
add_dependencies(nc_jobs nc_insider)

# nc_add_attack_test(NAME ATTACK): test_attacks.py ATTACK, with nc_insider beside nc_job.
function(nc_add_attack_test name attack)
  nc_add_script_test(${name} test_attacks.py ARGS ${attack} LABELS "integration;tcp;attack"
                     TIMEOUT 300)
  set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT NC_INSIDER=$<TARGET_FILE:nc_insider>)
endfunction()

# The honest-but-broken rows need no secret: any node may send them by mistake.
nc_add_attack_test(attack_forge_unknown_open forge-unknown-open)
nc_add_attack_test(attack_missized missized)
nc_add_attack_test(attack_task_failed_flood task-failed-flood)
nc_add_attack_test(attack_task_failed_initial task-failed-initial)
if(NC_WITH_SODIUM)
  nc_add_attack_test(attack_forge_unknown forge-unknown)
  nc_add_attack_test(attack_relabel relabel)
  nc_add_attack_test(attack_chunk_1e6 chunk-1e6)
  nc_add_attack_test(attack_hoard hoard)
  nc_add_attack_test(attack_hoard_drop hoard-drop)
  nc_add_attack_test(attack_long_hello long-hello)
  nc_add_attack_test(attack_registrations registrations)
  nc_add_attack_test(attack_steal_id steal-id)
endif()
