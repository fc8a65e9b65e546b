# fuzz_broker: the authority broker's dispatcher (tests/fuzz/fuzz_broker.c)
# with the generated decoders and the host loopback, the real servers behind
# it through tests/component/broker_fixture.c, compiled by clang like
# the other fuzzers; the generated IDL code and the host runtime need their
# include directories and nanopb's configuration on top of FUZZ_FLAGS.
set(G ${CMAKE_BINARY_DIR}/gen/capos_idl)
set(FUZZ_FLAGS_KERNEL ${FUZZ_FLAGS})
include(${PROJECT_SOURCE_DIR}/tests/component/broker_fixture.cmake)
list(APPEND FUZZ_FLAGS -DCAPOS_HOST=1 -DPB_ENABLE_MALLOC=1 -I${G}
  -I${PROJECT_SOURCE_DIR}/lib/include)
foreach(d ${CAPOS_BROKER_FIXTURE_INCLUDES})
  list(APPEND FUZZ_FLAGS -I${d})
endforeach()
# The seed programs (tests/fuzz/seed_broker.py says what each does): an
# anonymous session asking for "log-reader", and accepted Shutdowns (the
# operator's passphrase login, its "shutdown" grant, each mode) among
# refused ones, so the stop invariant runs from the first executions.
set(seed_names broker shutdown login_shutdown reboot_halt refused_then_shutdown
  closed_session)
set(seed)
foreach(n ${seed_names})
  list(APPEND seed ${CMAKE_CURRENT_BINARY_DIR}/seed_${n}.bin)
endforeach()
add_custom_command(OUTPUT ${seed}
  COMMAND ${CAPOS_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/seed_broker.py ${seed}
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/seed_broker.py
  VERBATIM)
capos_fuzzer(fuzz_broker SEEDS ${seed}
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_broker.c ${CAPOS_BROKER_FIXTURE_SOURCES}
  ${PROJECT_SOURCE_DIR}/lib/src/rpc.c ${PROJECT_SOURCE_DIR}/lib/src/loopback.c
  ${PROJECT_SOURCE_DIR}/lib/src/client_names.c ${PROJECT_SOURCE_DIR}/lib/src/escape.c
  ${G}/broker.capos.c ${G}/broker.pb.c ${G}/audit.capos.c ${G}/audit.pb.c
  ${G}/crypto.capos.c ${G}/crypto.pb.c ${G}/log.capos.c ${G}/log.pb.c
  ${G}/process.pb.c ${G}/process.capos.c ${G}/manifest.pb.c ${G}/manifest.capos.c
  ${G}/capability.pb.c ${G}/capability.capos.c
  ${G}/capos/common.pb.c ${G}/capos/common.capos.c
  ${CAPOS_NANOPB_HOST_LIB} ${CAPOS_BROKER_FIXTURE_LIBS})
add_dependencies(fuzz_broker_build capos_idl_gen)
set(FUZZ_FLAGS ${FUZZ_FLAGS_KERNEL})
