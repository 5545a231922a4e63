# cmake -DNPM=<npm> -DDIR=<package dir> -DSTAMP=<file> -P npm_ci.cmake
# Runs `npm ci` in DIR unless its node_modules was installed from this very package-lock.json
# (node_modules/.cryptodash-lock holds the lock's SHA-256), so that several build trees share
# one node_modules without wiping it under each other; then touches STAMP.

file(SHA256 ${DIR}/package-lock.json lock)
set(marker ${DIR}/node_modules/.cryptodash-lock)
set(installed "")
if(EXISTS ${marker})
  file(READ ${marker} installed)
endif()
if(NOT installed STREQUAL lock)
  message(STATUS "web: npm ci (package-lock.json changed or node_modules missing)")
  execute_process(COMMAND ${NPM} ci --no-audit --no-fund --loglevel=error
                  WORKING_DIRECTORY ${DIR} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "web: npm ci failed (${rc}); the npm registry must be reachable")
  endif()
  file(WRITE ${marker} ${lock})
endif()
file(TOUCH ${STAMP})
