# Compiler and linker settings for the kernel and userspace targets. Both use
# the host x86_64 compiler in freestanding mode; neither sees the host libc.

execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
  OUTPUT_VARIABLE CAPOS_CC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)

set(CAPOS_WARNINGS -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
  -Wmissing-prototypes -Wno-unused-parameter)

set(CAPOS_FREESTANDING_FLAGS
  -ffreestanding -nostdinc -isystem ${CAPOS_CC_INCLUDE}
  -fno-pic -fno-pie -fno-builtin -fno-common -fno-strict-aliasing
  -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -g -O2)

# Kernel: higher half (-mcmodel=kernel), no red zone (interrupts use the
# stack), no SSE/x87 (user FPU state stays live until saved), no canaries.
function(capos_kernel_target tgt)
  target_compile_options(${tgt} PRIVATE ${CAPOS_WARNINGS} ${CAPOS_FREESTANDING_FLAGS}
    -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2
    -fno-stack-protector -fcf-protection=none)
  target_include_directories(${tgt} PRIVATE ${PROJECT_SOURCE_DIR}/kern/include
    ${PROJECT_SOURCE_DIR}/kern)
endfunction()

# Userspace programs: static, non-PIE, linked at lib/user.ld's base.
function(capos_user_target tgt)
  target_compile_options(${tgt} PRIVATE ${CAPOS_WARNINGS} ${CAPOS_FREESTANDING_FLAGS}
    -mno-red-zone -fno-stack-protector -fcf-protection=none
    -ffunction-sections -fdata-sections)
  target_include_directories(${tgt} PRIVATE ${PROJECT_SOURCE_DIR}/kern/include
    ${PROJECT_SOURCE_DIR}/lib/include)
endfunction()

# capos_user_program(NAME SOURCES...) - a static ELF on the userspace runtime.
function(capos_user_program name)
  add_executable(${name} ${ARGN})
  capos_user_target(${name})
  target_link_libraries(${name} PRIVATE capos_user_runtime)
  target_link_options(${name} PRIVATE -nostdlib -static -no-pie
    -Wl,-T,${PROJECT_SOURCE_DIR}/lib/user.ld -Wl,-z,max-page-size=4096
    -Wl,--build-id=none -Wl,-z,noexecstack)
  set_target_properties(${name} PROPERTIES SUFFIX ".elf"
    LINK_DEPENDS ${PROJECT_SOURCE_DIR}/lib/user.ld
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/programs)
  # --gc-sections: each generated .capos.c holds the codecs of every
  # message of its .proto; a program keeps only those it calls, so the
  # default boot package stays within one SharedBuffer (kern/core/boot.c).
  target_link_options(${name} PRIVATE -Wl,--gc-sections)
  # Boot packages carry the program without its debug sections (the kernel
  # checks the whole package at boot: smaller is faster); the symbols stay
  # beside it in <name>.debug for gdb (docs/debugging.md).
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_OBJCOPY} --only-keep-debug $<TARGET_FILE:${name}>
            ${CMAKE_BINARY_DIR}/programs/${name}.debug
    COMMAND ${CMAKE_OBJCOPY} --strip-debug
            --add-gnu-debuglink=${CMAKE_BINARY_DIR}/programs/${name}.debug
            $<TARGET_FILE:${name}>
    VERBATIM)
endfunction()

# Host code under test: sanitizers on, warnings as errors.
set(CAPOS_HOST_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all
  -fno-omit-frame-pointer)
function(capos_host_target tgt)
  target_compile_options(${tgt} PRIVATE ${CAPOS_WARNINGS} -g -O1 ${CAPOS_HOST_SANITIZE})
  target_link_options(${tgt} PRIVATE ${CAPOS_HOST_SANITIZE})
  target_include_directories(${tgt} PRIVATE ${PROJECT_SOURCE_DIR}/kern/include
    ${PROJECT_SOURCE_DIR}/kern)
endfunction()

# capos_rpc_program(NAME SOURCES...) - a user program that speaks IDL
# interfaces: generated stubs and dispatchers, the RPC runtime, nanopb.
# Generated code and the runtime call each other, hence the link group.
function(capos_rpc_program name)
  capos_user_program(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE
    "$<LINK_GROUP:RESCAN,capos_idl_user,capos_rpc_user,capos_user_runtime,${CAPOS_NANOPB_HOST_LIB}>")
endfunction()
