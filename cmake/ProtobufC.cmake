# protobuf-c for host tools and tests: C code for idl/ generated with
# protoc-c into the build folder. One library serves every user (the
# nanopb cross-check, capos-inspect).
find_program(CAPOS_PROTOC_C protoc-c)
find_path(CAPOS_PROTOBUF_C_INCLUDE_DIR protobuf-c/protobuf-c.h)
find_library(CAPOS_PROTOBUF_C_LIB protobuf-c)
foreach(v CAPOS_PROTOC_C CAPOS_PROTOBUF_C_INCLUDE_DIR CAPOS_PROTOBUF_C_LIB)
  if(NOT ${v})
    message(FATAL_ERROR "${v} not found: install protobuf-c-compiler and "
      "libprotobuf-c-dev (ci/setup)")
  endif()
endforeach()

# capos_protobuf_c(NAME <lib> IDL_DIR <dir> PROTOS <files relative to it>)
# A static library of protoc-c's output for PROTOS and
# google/protobuf/descriptor.proto (capos/options.pb-c.h includes it), in
# ${CMAKE_BINARY_DIR}/gen/<lib>/, which is its public include root. Warnings
# on, no -Werror: protoc-c's output is not ours (it is clean today).
function(capos_protobuf_c)
  cmake_parse_arguments(PC "" "NAME;IDL_DIR" "PROTOS" ${ARGN})
  set(gen ${CMAKE_BINARY_DIR}/gen/${PC_NAME})
  set(descriptor google/protobuf/descriptor.proto)
  set(sources)
  set(headers)
  set(deps)
  foreach(p IN LISTS PC_PROTOS descriptor)
    string(REGEX REPLACE "\\.proto$" "" base ${p})
    list(APPEND sources ${gen}/${base}.pb-c.c)
    list(APPEND headers ${gen}/${base}.pb-c.h)
  endforeach()
  foreach(p IN LISTS PC_PROTOS)
    list(APPEND deps ${PC_IDL_DIR}/${p})
  endforeach()
  add_custom_command(OUTPUT ${sources} ${headers}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${gen}
    COMMAND ${CAPOS_PROTOC_C} --c_out=${gen} -I ${PC_IDL_DIR} -I ${CAPOS_NANOPB_PROTO_DIR}
      ${PC_PROTOS} ${descriptor}
    WORKING_DIRECTORY ${PC_IDL_DIR}
    DEPENDS ${deps}
    COMMENT "protoc-c: ${PC_NAME}"
    VERBATIM)
  add_library(${PC_NAME} STATIC ${sources})
  target_include_directories(${PC_NAME} PUBLIC ${gen} ${CAPOS_PROTOBUF_C_INCLUDE_DIR})
  target_link_libraries(${PC_NAME} PUBLIC ${CAPOS_PROTOBUF_C_LIB})
  target_compile_options(${PC_NAME} PRIVATE -Wall -Wextra -g -O1 ${CAPOS_HOST_SANITIZE})
endfunction()
