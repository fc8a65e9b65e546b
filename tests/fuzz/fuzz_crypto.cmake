# fuzz_crypto (tests/fuzz/fuzz_crypto.c): the crypto key service's
# dispatcher with the real service, its generated code, the runtime's RPC
# helpers, nanopb and BearSSL (archives last, after the sources that use
# them). Included from CMakeLists.txt; the extra include paths and defines
# apply to this fuzzer only.
set(fuzz_crypto_saved_flags ${FUZZ_FLAGS})
set(gen ${CMAKE_BINARY_DIR}/gen/capos_idl)
list(APPEND FUZZ_FLAGS -I${gen} -I${PROJECT_SOURCE_DIR}/lib/include
  -I${PROJECT_SOURCE_DIR}/servers/crypto -I${CAPOS_NANOPB_INCLUDE_DIR}
  -DCAPOS_HOST=1 -DPB_ENABLE_MALLOC=1)
find_file(CAPOS_FUZZ_BEARSSL_ARCHIVE libbearssl.a PATHS /usr/lib/x86_64-linux-gnu NO_DEFAULT_PATH)
capos_fuzzer(fuzz_crypto SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/seed_crypto.bin
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_crypto.c
  ${CAPOS_CRYPTO_LOGIC_SOURCES}
  ${PROJECT_SOURCE_DIR}/lib/src/rpc.c ${PROJECT_SOURCE_DIR}/lib/src/loopback.c
  ${gen}/crypto.capos.c ${gen}/crypto.pb.c ${gen}/capos/common.pb.c ${gen}/capos/common.capos.c
  ${gen}/capos/options.pb.c
  ${CAPOS_NANOPB_HOST_LIB} ${CAPOS_FUZZ_BEARSSL_ARCHIVE})
add_dependencies(fuzz_crypto_build capos_idl_gen)
set(FUZZ_FLAGS ${fuzz_crypto_saved_flags})
