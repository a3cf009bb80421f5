# Install the library, its public headers and a CMake package, so that a separate
# project can say find_package(NodeCrunch) and link NodeCrunch::node_crunch.
include(CMakePackageConfigHelpers)

install(TARGETS node_crunch EXPORT NodeCrunchTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/node_crunch DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/node_crunch/build_config.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/node_crunch)

set(_nc_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/NodeCrunch)
install(EXPORT NodeCrunchTargets NAMESPACE NodeCrunch:: DESTINATION ${_nc_cmake_dir})
configure_package_config_file(cmake/NodeCrunchConfig.cmake.in
  ${PROJECT_BINARY_DIR}/NodeCrunchConfig.cmake INSTALL_DESTINATION ${_nc_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/NodeCrunchConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/NodeCrunchConfig.cmake
              ${PROJECT_BINARY_DIR}/NodeCrunchConfigVersion.cmake
        DESTINATION ${_nc_cmake_dir})
