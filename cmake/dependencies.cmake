# Every third-party dependency comes from Debian's packages (tools/install-deps.sh).
find_package(Threads REQUIRED)
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS json url system)
find_package(OpenSSL REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)

if(CRYPTODASH_BUILD_TESTS)
  find_package(GTest REQUIRED CONFIG)
endif()
if(CRYPTODASH_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Boost.Asio / Beast settings shared by every target that includes them.
add_library(cryptodash_asio INTERFACE)
target_link_libraries(cryptodash_asio INTERFACE Boost::system Boost::headers OpenSSL::SSL
                                                OpenSSL::Crypto Threads::Threads)
target_compile_definitions(cryptodash_asio INTERFACE BOOST_ASIO_NO_DEPRECATED)
# GCC 12 warns about Asio's coroutine frame allocator (a false positive).
target_compile_options(cryptodash_asio INTERFACE
                       $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)
