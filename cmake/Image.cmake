# capos_image(NAME <name> [KERNEL <target>] PROGRAMS <target>...)
#
# Builds ${CAPOS_IMAGE_DIR}/<name>.img: a GPT disk whose FAT ESP holds
#   \EFI\BOOT\BOOTX64.EFI  the loader
#   \capos\kernel.elf      the kernel (default target: kernel)
#   \capos\boot.pkg        a boot package with each program, in order
# and a target image-<name>. Until manifests land (issue 6) the package is
# just the program list; the kernel runs its ELF entries in order.
function(capos_image)
  cmake_parse_arguments(IMG "" "NAME;KERNEL" "PROGRAMS" ${ARGN})
  if(NOT IMG_KERNEL)
    set(IMG_KERNEL kernel)
  endif()
  set(pkg ${CMAKE_BINARY_DIR}/pkg/${IMG_NAME}.pkg)
  set(img ${CAPOS_IMAGE_DIR}/${IMG_NAME}.img)
  set(entries)
  set(deps)
  foreach(p ${IMG_PROGRAMS})
    list(APPEND entries "${p}=$<TARGET_FILE:${p}>")
    list(APPEND deps ${p})
  endforeach()
  add_custom_command(OUTPUT ${pkg}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/pkg
    COMMAND ${CAPOS_PYTHON} ${PROJECT_SOURCE_DIR}/codegen/mkpkg.py -o ${pkg} ${entries}
    DEPENDS ${deps} ${PROJECT_SOURCE_DIR}/codegen/mkpkg.py
    COMMENT "boot package ${IMG_NAME}.pkg" VERBATIM)
  add_custom_command(OUTPUT ${img}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CAPOS_IMAGE_DIR}
    COMMAND ${CAPOS_PYTHON} ${PROJECT_SOURCE_DIR}/codegen/mkimage.py -o ${img}
            --efi ${CAPOS_LOADER_EFI} --kernel $<TARGET_FILE:${IMG_KERNEL}> --pkg ${pkg}
    DEPENDS ${pkg} ${IMG_KERNEL} bootloader ${CAPOS_LOADER_EFI}
            ${PROJECT_SOURCE_DIR}/codegen/mkimage.py
    COMMENT "disk image ${IMG_NAME}.img" VERBATIM)
  add_custom_target(image-${IMG_NAME} ALL DEPENDS ${img})
endfunction()
