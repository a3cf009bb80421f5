# Cross build for s390x (64-bit, big-endian) with Debian's g++-s390x-linux-gnu; programs run
# under qemu-s390x, so CTest runs the cross-built tests on this machine:
#
#   tests/cross/make-s390x-sysroot.sh build-s390x/sysroot
#   cmake -S . -B build-s390x -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/s390x-linux-gnu.cmake \
#         -DNC_S390X_SYSROOT=$PWD/build-s390x/sysroot \
#         -DNC_WITH_MPI=OFF -DNC_WITH_HDF5=OFF -DNC_WITH_PNG=OFF -DNC_BUILD_BENCH=OFF \
#         [-DNC_HOST_JOB=$PWD/build/jobs/nc_job]
#
# nc_job built so is a TCP node for any server (qemu-s390x build-s390x/jobs/nc_job mandel
# --connect HOST:PORT); with NC_HOST_JOB, ctest -L cross runs a job whose server and other nodes
# are this machine's (tests/cross/test_mixed_endian.py).
# Libraries and CMake packages come from NC_S390X_SYSROOT (unpacked Debian s390x packages); the C
# and C++ runtimes from the cross compiler. Everything is linked statically: qemu-s390x runs a
# dynamic program only with a glibc of exactly the cross compiler's version beside it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(CMAKE_LIBRARY_ARCHITECTURE s390x-linux-gnu)
set(CMAKE_C_COMPILER s390x-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER s390x-linux-gnu-g++)

if(NOT NC_S390X_SYSROOT AND DEFINED ENV{NC_S390X_SYSROOT})
  set(NC_S390X_SYSROOT "$ENV{NC_S390X_SYSROOT}")
endif()
if(NOT NC_S390X_SYSROOT)
  message(FATAL_ERROR "NC_S390X_SYSROOT: the folder tests/cross/make-s390x-sysroot.sh made")
endif()
set(NC_S390X_SYSROOT "${NC_S390X_SYSROOT}" CACHE PATH "s390x libraries (make-s390x-sysroot.sh)")
# try_compile projects read this file again: hand them the sysroot too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES NC_S390X_SYSROOT)

set(CMAKE_FIND_ROOT_PATH "${NC_S390X_SYSROOT}" /usr/s390x-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# The sysroot holds static libraries only (make-s390x-sysroot.sh removes the .so links).
set(Boost_USE_STATIC_LIBS ON)
set(CMAKE_EXE_LINKER_FLAGS_INIT -static)
# pkg-config (libsodium) reads the sysroot's .pc files, never the machine's.
set(ENV{PKG_CONFIG_LIBDIR} "${NC_S390X_SYSROOT}/usr/lib/s390x-linux-gnu/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${NC_S390X_SYSROOT}")

find_program(NC_QEMU_S390X qemu-s390x REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${NC_QEMU_S390X}")
