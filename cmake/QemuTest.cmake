# capos_qemu_test(NAME <test> IMAGE <image> EXPECT <file> [ICOUNT] [NEVER <regex>...])
# Boots build/images/<image>.img with qemu/run.py and checks the serial
# transcript against <file>; each NEVER adds a line that must not appear
# (one expectations file shared by variants of an image). Label `qemu`; a
# timeout on every test.
function(capos_qemu_test)
  cmake_parse_arguments(QT "ICOUNT" "NAME;IMAGE;EXPECT" "NEVER" ${ARGN})
  set(never)
  # ICOUNT: virtual time from instructions, so time slices (and the order
  # in which equal-priority components print) do not depend on host load.
  # Instruction counting runs QEMU several times slower, more so on a
  # loaded machine, so such a test gets a longer limit.
  set(icount)
  set(limit ${CAPOS_QEMU_TIMEOUT})
  if(QT_ICOUNT)
    set(icount --icount)
    math(EXPR limit "${CAPOS_QEMU_TIMEOUT} * 3")
  endif()
  foreach(n IN LISTS QT_NEVER)
    list(APPEND never --never ${n})
  endforeach()
  add_test(NAME ${QT_NAME}
    COMMAND ${CAPOS_PYTHON} ${PROJECT_SOURCE_DIR}/qemu/run.py
            --expect ${QT_EXPECT} --timeout ${limit} ${never} ${icount}
            --log ${CMAKE_BINARY_DIR}/transcripts/${QT_NAME}.log
            ${CAPOS_IMAGE_DIR}/${QT_IMAGE}.img)
  math(EXPR hard_timeout "${limit} + 30")
  set_tests_properties(${QT_NAME} PROPERTIES LABELS qemu TIMEOUT ${hard_timeout})
endfunction()
