# SPDX-License-Identifier: Apache-2.0
# The fixture of playground.browser: copies package.json and package-lock.json from SOURCE_DIR
# into BINARY_DIR and runs `npm ci` there, so that node_modules lives in the build tree and never
# in the source tree. Skips `npm ci` when node_modules already holds this very package-lock.json's
# packages (a stamp written after the last successful install).
#   cmake -DSOURCE_DIR=tests/playground -DBINARY_DIR=build/tests/playground -DNPM=npm -P npm_ci.cmake
foreach(var SOURCE_DIR BINARY_DIR NPM)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "npm_ci.cmake: -D${var}=… is required")
  endif()
endforeach()

file(MAKE_DIRECTORY ${BINARY_DIR})
foreach(file package.json package-lock.json)
  file(COPY_FILE ${SOURCE_DIR}/${file} ${BINARY_DIR}/${file} ONLY_IF_DIFFERENT)
endforeach()

set(stamp ${BINARY_DIR}/node_modules/.cordon-package-lock.json)
if(EXISTS ${stamp} AND EXISTS ${BINARY_DIR}/node_modules/puppeteer-core/package.json)
  file(READ ${stamp} installed)
  file(READ ${BINARY_DIR}/package-lock.json wanted)
  if(installed STREQUAL wanted)
    message(STATUS "${BINARY_DIR}/node_modules is up to date with package-lock.json")
    return()
  endif()
endif()

message(STATUS "npm ci --no-audit --no-fund in ${BINARY_DIR}")
set(unreachable ${BINARY_DIR}/npm-registry-unreachable.txt)
file(REMOVE ${unreachable})
execute_process(COMMAND ${NPM} ci --no-audit --no-fund
                WORKING_DIRECTORY ${BINARY_DIR}
                RESULT_VARIABLE status
                OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
message("${out}")
if(NOT status EQUAL 0)
  # A registry this machine cannot reach (no route, no DNS, a TLS proxy whose certificate it
  # does not trust) is recorded, and playground.browser then reports itself skipped with the
  # reason. Any other failure (a broken lock file, say) fails here.
  string(REGEX MATCH "code (E[A-Z_]+|[A-Z_]*CERT[A-Z_]*|UNABLE_TO_[A-Z_]+)" code "${out}")
  if(code MATCHES "ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|CERT|UNABLE_TO")
    file(WRITE ${unreachable} "npm ci failed with ${code} (see the output of playground.npm_ci)\n")
    message(WARNING "npm ci could not reach the registry (${code}): playground.browser will skip")
    return()
  endif()
  message(FATAL_ERROR "npm ci failed (${status}) in ${BINARY_DIR}")
endif()
file(COPY_FILE ${BINARY_DIR}/package-lock.json ${stamp})
