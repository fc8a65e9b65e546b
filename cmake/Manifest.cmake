# capos_manifest_image(NAME <name> MANIFEST <file> [KERNEL <target>]
#                      [PROGRAMS <target>...])
#
# Builds ${CAPOS_IMAGE_DIR}/<name>.img from a system manifest
# (docs/manifest.md) and a target image-<name>:
#   1. codegen/manifest.py build validates <file> against the IDL's
#      descriptor set (gen/capos_idl/capos_idl.desc) and the PROGRAMS, and
#      writes pkg/<name>.manifest.bin (the binary encoding) and
#      pkg/<name>.pkg: `init`, `manifest` and each binary the manifest
#      names, once. A bad manifest fails the build with file:line messages
#      and leaves no package or image behind (not even an earlier one).
#   2. codegen/mkimage.py puts the loader, the kernel and the package on
#      a GPT/FAT disk image, as capos_image() does.
# PROGRAMS are user program targets; the manifest names them by target name
# (binary: "echo"). The target `init` is always the package's init.
# Needs CAPOS_PYTHON, CAPOS_IMAGE_DIR, CAPOS_LOADER_EFI and the capos_idl
# library (cmake/Idl.cmake, idl/CMakeLists.txt).
set(CAPOS_MANIFEST_PY ${CMAKE_CURRENT_LIST_DIR}/../codegen/manifest.py)
get_filename_component(CAPOS_MANIFEST_PY ${CAPOS_MANIFEST_PY} ABSOLUTE)

function(capos_manifest_image)
  cmake_parse_arguments(MI "" "NAME;MANIFEST;KERNEL" "PROGRAMS" ${ARGN})
  if(NOT MI_NAME OR NOT MI_MANIFEST)
    message(FATAL_ERROR "capos_manifest_image: NAME and MANIFEST are required")
  endif()
  if(NOT MI_KERNEL)
    set(MI_KERNEL kernel)
  endif()
  get_filename_component(manifest ${MI_MANIFEST} ABSOLUTE)
  set(desc ${CMAKE_BINARY_DIR}/gen/capos_idl/capos_idl.desc)
  set(pkgdir ${CMAKE_BINARY_DIR}/pkg)
  set(bin ${pkgdir}/${MI_NAME}.manifest.bin)
  set(pkg ${pkgdir}/${MI_NAME}.pkg)
  set(img ${CAPOS_IMAGE_DIR}/${MI_NAME}.img)
  set(binaries)
  set(deps init)
  foreach(p IN LISTS MI_PROGRAMS)
    if(p STREQUAL "init")
      continue()
    endif()
    list(APPEND binaries --binary "${p}=$<TARGET_FILE:${p}>")
    list(APPEND deps ${p})
  endforeach()
  add_custom_command(OUTPUT ${bin} ${pkg}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${pkgdir}
    COMMAND ${CMAKE_COMMAND} -E rm -f ${img}
    COMMAND ${CAPOS_PYTHON} ${CAPOS_MANIFEST_PY} build ${manifest}
      --descriptor-set ${desc}
      --options ${PROJECT_SOURCE_DIR}/idl/manifest.options
      ${binaries} --init $<TARGET_FILE:init> --out ${bin} --pkg ${pkg}
    DEPENDS ${manifest} ${deps} ${desc} capos_idl_gen
      ${PROJECT_SOURCE_DIR}/idl/manifest.options
      ${CAPOS_MANIFEST_PY} ${PROJECT_SOURCE_DIR}/codegen/mkpkg.py
    COMMENT "manifest ${MI_NAME}: validate, boot package ${MI_NAME}.pkg"
    VERBATIM)
  add_custom_command(OUTPUT ${img}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CAPOS_IMAGE_DIR}
    COMMAND ${CAPOS_PYTHON} ${PROJECT_SOURCE_DIR}/codegen/mkimage.py -o ${img}
            --efi ${CAPOS_LOADER_EFI} --kernel $<TARGET_FILE:${MI_KERNEL}> --pkg ${pkg}
    DEPENDS ${pkg} ${MI_KERNEL} bootloader ${CAPOS_LOADER_EFI}
            ${PROJECT_SOURCE_DIR}/codegen/mkimage.py
    COMMENT "disk image ${MI_NAME}.img" VERBATIM)
  add_custom_target(image-${MI_NAME} ALL DEPENDS ${img})
endfunction()
