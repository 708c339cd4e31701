# SPDX-License-Identifier: Apache-2.0
# cordon_add_policy: compile a Cordon policy at build time, as protobuf_generate does for .proto
# files. Installed with the CMake package (find_package(Cordon) includes it).
#
#   cordon_add_policy(<name> POLICY <rule file or directory>...
#                     [HEADER <file>] [BUNDLE] [OUTPUT <file>] [MODULE_PATH <dir>...])
#
# Writes <name>.so (or, with BUNDLE, the policy bundle <name>.cordonb) and the C header <name>.h
# (or HEADER) in the current binary directory. `cordon compile --depfile` lists every rule file,
# imported module and CSV table it read, so the policy is rebuilt when any of them changes and
# only then. Gives an INTERFACE target <name>: linking it adds the header's directory and builds
# the policy first; its properties CORDON_POLICY_FILE and CORDON_POLICY_HEADER give the paths,
# to load (cordon_config.library or .bundle) or install.
#
# The compiler component runs at build time only: set CORDON_COMMAND to its `cordon` (found on
# the PATH and beside this package otherwise). What the host runs needs only the runtime.
include_guard(GLOBAL)

get_filename_component(_cordon_package_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

function(cordon_add_policy name)
  cmake_parse_arguments(P "BUNDLE" "HEADER;OUTPUT" "POLICY;MODULE_PATH" ${ARGN})
  if(P_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "cordon_add_policy(${name}): unknown arguments ${P_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT P_POLICY)
    message(FATAL_ERROR "cordon_add_policy(${name}): POLICY names no rule file or directory")
  endif()
  if(NOT CORDON_COMMAND)
    find_program(CORDON_COMMAND cordon HINTS "${_cordon_package_prefix}/bin")
  endif()
  if(NOT CORDON_COMMAND)
    message(FATAL_ERROR "cordon_add_policy(${name}): no `cordon` command. It is in the compiler "
                        "component (cmake --install BUILD --component compiler); set "
                        "CORDON_COMMAND to its path.")
  endif()

  if(P_BUNDLE)
    set(suffix cordonb)
    set(bundle_flag --bundle)
  else()
    set(suffix so)
    set(bundle_flag)
  endif()
  set(output "${CMAKE_CURRENT_BINARY_DIR}/${name}.${suffix}")
  if(P_OUTPUT)
    get_filename_component(output "${P_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  set(header "${CMAKE_CURRENT_BINARY_DIR}/${name}.h")
  if(P_HEADER)
    get_filename_component(header "${P_HEADER}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  set(depfile "${CMAKE_CURRENT_BINARY_DIR}/${name}.${suffix}.d")

  set(policy_args)
  set(roots)
  foreach(root IN LISTS P_POLICY)
    get_filename_component(root "${root}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND policy_args --policy "${root}")
    if(NOT IS_DIRECTORY "${root}")
      list(APPEND roots "${root}")
    endif()
  endforeach()
  set(include_args)
  foreach(dir IN LISTS P_MODULE_PATH)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND include_args -I "${dir}")
  endforeach()

  add_custom_command(
    OUTPUT "${output}" "${header}"
    COMMAND "${CORDON_COMMAND}" compile ${policy_args} ${include_args} ${bundle_flag}
            -o "${output}" --header "${header}" --depfile "${depfile}"
    DEPENDS ${roots} "${CORDON_COMMAND}"
    DEPFILE "${depfile}"
    COMMENT "Compiling the Cordon policy ${name}"
    VERBATIM)
  add_custom_target(${name}_policy ALL DEPENDS "${output}" "${header}")

  add_library(${name} INTERFACE)
  get_filename_component(header_dir "${header}" DIRECTORY)
  target_include_directories(${name} INTERFACE "${header_dir}")
  add_dependencies(${name} ${name}_policy)
  set_target_properties(${name} PROPERTIES CORDON_POLICY_FILE "${output}"
                                           CORDON_POLICY_HEADER "${header}")
endfunction()
