# The nvram shim (emulate/shim/libnvram.c) for every architecture iotcop emulates, built with clang
# for each target (no C library linked: the image's own provides open/read/write/close), then
# embedded into iotcop_emulate as byte arrays (embed.cmake -> generated/emulate/nvram_shims.cc), so
# the binary carries them (no foreign-architecture files in the Debian package).
# Two builds an architecture: <arch> is preloaded; <arch>-interpose stands in for the vendor's
# nvram library by its name and needs the vendor's file as libiotcop-real-0000.so.
# Without clang and lld (scripts/install-deps.sh installs them) the table is empty: emulation runs
# without answering nvram reads, and says so.
find_program(IOTCOP_SHIM_CLANG NAMES clang clang-14)
find_program(IOTCOP_SHIM_LLD NAMES ld.lld)
set(IOTCOP_SHIM_DIR ${CMAKE_CURRENT_BINARY_DIR}/emulate-shim)
set(IOTCOP_SHIM_EMBEDDED ${CMAKE_CURRENT_BINARY_DIR}/generated/emulate/nvram_shims.cc)
set(IOTCOP_SHIM_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed.cmake)
if(NOT IOTCOP_SHIM_CLANG OR NOT IOTCOP_SHIM_LLD)
  message(STATUS "emulate: clang or ld.lld not found: the nvram shims are not built")
  execute_process(COMMAND ${CMAKE_COMMAND} -DOUT=${IOTCOP_SHIM_EMBEDDED} -DSHIMS=
                  -P ${IOTCOP_SHIM_EMBED_SCRIPT})
  target_sources(iotcop_emulate PRIVATE ${IOTCOP_SHIM_EMBEDDED})
set_source_files_properties(${IOTCOP_SHIM_EMBEDDED} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  return()
endif()
set(IOTCOP_SHIM_SOURCE ${CMAKE_CURRENT_LIST_DIR}/libnvram.c)
set(IOTCOP_SHIM_REAL_SOURCE ${CMAKE_CURRENT_LIST_DIR}/real_placeholder.c)
# arch name (core/elf.h; armhf: ARM with the hard-float ABI) | clang target | flags
set(IOTCOP_SHIM_ARCHS
  "mips|mips-linux-gnu|-march=mips32"
  "mipsel|mipsel-linux-gnu|-march=mips32"
  "arm|arm-linux-gnueabi|-march=armv5te -mfloat-abi=soft"
  "armhf|arm-linux-gnueabihf|-march=armv7-a -mfloat-abi=hard"
  "aarch64|aarch64-linux-gnu|"
  "x86|i386-linux-gnu|"
  "x86-64|x86_64-linux-gnu|"
  "powerpc|powerpc-linux-gnu|"
  "riscv64|riscv64-linux-gnu|")
set(IOTCOP_SHIM_COMMON -O2 -fPIC -shared -nostdlib -ffreestanding -fvisibility=hidden
    -fno-stack-protector -Wall -Wextra -Werror -Wno-unused-command-line-argument -fuse-ld=lld)
set(IOTCOP_SHIM_OUTPUTS "")
foreach(entry ${IOTCOP_SHIM_ARCHS})
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 arch)
  list(GET parts 1 target)
  list(GET parts 2 flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  set(out ${IOTCOP_SHIM_DIR}/nvram-${arch}.so)
  set(interpose ${IOTCOP_SHIM_DIR}/nvram-${arch}-interpose.so)
  set(real ${IOTCOP_SHIM_DIR}/${arch}/libiotcop-real-0000.so)
  add_custom_command(
    OUTPUT ${out} ${interpose}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${IOTCOP_SHIM_DIR}/${arch}
    COMMAND ${IOTCOP_SHIM_CLANG} --target=${target} ${flags} ${IOTCOP_SHIM_COMMON}
            -Wl,-soname,libiotcop-nvram.so -o ${out} ${IOTCOP_SHIM_SOURCE}
    COMMAND ${IOTCOP_SHIM_CLANG} --target=${target} ${flags} ${IOTCOP_SHIM_COMMON}
            -Wl,-soname,libiotcop-real-0000.so -o ${real} ${IOTCOP_SHIM_REAL_SOURCE}
    COMMAND ${IOTCOP_SHIM_CLANG} --target=${target} ${flags} ${IOTCOP_SHIM_COMMON}
            -Wl,-soname,libiotcop-nvram.so -Wl,--no-as-needed -o ${interpose} ${IOTCOP_SHIM_SOURCE} ${real}
    DEPENDS ${IOTCOP_SHIM_SOURCE} ${IOTCOP_SHIM_REAL_SOURCE}
    COMMENT "nvram shim for ${arch}"
    VERBATIM)
  list(APPEND IOTCOP_SHIM_OUTPUTS ${out} ${interpose})
  list(APPEND IOTCOP_SHIM_PAIRS "${arch}=${out}" "${arch}-interpose=${interpose}")
endforeach()
add_custom_command(
  OUTPUT ${IOTCOP_SHIM_EMBEDDED}
  COMMAND ${CMAKE_COMMAND} -DOUT=${IOTCOP_SHIM_EMBEDDED} "-DSHIMS=${IOTCOP_SHIM_PAIRS}"
          -P ${IOTCOP_SHIM_EMBED_SCRIPT}
  DEPENDS ${IOTCOP_SHIM_OUTPUTS} ${IOTCOP_SHIM_EMBED_SCRIPT}
  COMMENT "embedding the nvram shims"
  VERBATIM)
target_sources(iotcop_emulate PRIVATE ${IOTCOP_SHIM_EMBEDDED})
set_source_files_properties(${IOTCOP_SHIM_EMBEDDED} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
