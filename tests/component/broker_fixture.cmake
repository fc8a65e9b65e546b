# broker_fixture.cmake - what tests/component/broker_fixture.c needs: the
# broker's logic and the real audit, log, shutdown and crypto servers'
# logic (no generated code: each user links its own). Included by
# tests/component/CMakeLists.txt and tests/fuzz/fuzz_broker.cmake.
set(_bfx_s ${PROJECT_SOURCE_DIR}/servers)
set(CAPOS_BROKER_FIXTURE_SOURCES
  ${PROJECT_SOURCE_DIR}/tests/component/broker_fixture.c
  ${_bfx_s}/broker/broker_service.c ${_bfx_s}/broker/broker_login.c
  ${_bfx_s}/audit/audit_service.c ${_bfx_s}/log/log_service.c ${_bfx_s}/shutdown/shutdown_service.c
  ${CAPOS_CRYPTO_LOGIC_SOURCES})
set(CAPOS_BROKER_FIXTURE_INCLUDES ${PROJECT_SOURCE_DIR}/tests/component
  ${_bfx_s}/broker ${_bfx_s}/audit ${_bfx_s}/log ${_bfx_s}/shutdown ${_bfx_s}/crypto)
find_file(CAPOS_BROKER_FIXTURE_ARGON2 libargon2.a PATHS /usr/lib/x86_64-linux-gnu NO_DEFAULT_PATH)
find_file(CAPOS_BROKER_FIXTURE_BEARSSL libbearssl.a PATHS /usr/lib/x86_64-linux-gnu NO_DEFAULT_PATH)
set(CAPOS_BROKER_FIXTURE_LIBS ${CAPOS_BROKER_FIXTURE_ARGON2} ${CAPOS_BROKER_FIXTURE_BEARSSL})
