# Warnings and sanitizers for project code, applied through cryptodash_add_library /
# cryptodash_add_executable so third-party targets are untouched.

set(CRYPTODASH_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wno-missing-field-initializers
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(CRYPTODASH_WERROR)
  list(APPEND CRYPTODASH_WARNINGS -Werror)
endif()

# Asio recycles coroutine frames and handler memory per thread, by default two blocks per
# kind; a request runs about eight nested coroutines (session, parse, route, handler, data
# service, cache), so with two slots most frames went back to malloc on every request. Must be
# the same in every translation unit that includes Asio (it sizes thread_info_base).
add_compile_definitions(BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE=32)

if(CRYPTODASH_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
elseif(CRYPTODASH_SANITIZE STREQUAL "thread")
  # Asio uses atomic_thread_fence, which TSan does not model; GCC warns about each use. Our own
  # code avoids fences under TSan (cache/epoch.cpp).
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
elseif(NOT CRYPTODASH_SANITIZE STREQUAL "")
  message(FATAL_ERROR "CRYPTODASH_SANITIZE must be empty, 'address' or 'thread'")
endif()

# cryptodash_add_library(<module> SOURCES ... DEPS ...): the library of one folder of src/,
# named cryptodash_<module> with the alias cryptodash::<module>.
function(cryptodash_add_library module)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(cryptodash_${module} ${ARG_SOURCES})
  add_library(cryptodash::${module} ALIAS cryptodash_${module})
  target_include_directories(cryptodash_${module} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(cryptodash_${module} PUBLIC ${ARG_DEPS})
  target_compile_options(cryptodash_${module} PRIVATE ${CRYPTODASH_WARNINGS})
endfunction()

function(cryptodash_add_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_options(${name} PRIVATE ${CRYPTODASH_WARNINGS})
endfunction()
