# Cross-compiling cordon for 64-bit Windows with Debian's mingw-w64 (GCC 12,
# posix threads so std::thread works), and running the result under Wine:
#
#   cmake -S . -B build-win --toolchain cmake/mingw-w64-x86_64.cmake
#   cmake --build build-win -j2 && ctest --test-dir build-win
#
# scripts/test-windows-cross.sh installs the toolchain and Wine and does the
# above. The warnings are the main build's (-Wall -Wextra -Werror, set in
# CMakeLists.txt), so nothing here relaxes them.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(CORDON_MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${CORDON_MINGW_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${CORDON_MINGW_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${CORDON_MINGW_PREFIX}-windres)

# Find the target's headers and libraries only, never the host's: a stray
# /usr/include would hand glibc's headers to the Windows compiler. The
# header-only libraries cordon shares with Linux are added one directory at
# a time (cmake/windows.cmake).
set(CMAKE_FIND_ROOT_PATH /usr/${CORDON_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest (and add_custom_command on an executable target) runs the .exe
# files through Wine: a private prefix in the build directory (made on first
# use, in seconds), no debug channels, console mode (no display needed), and
# no Mono or Gecko install prompts. wine64 is called directly: Debian's
# `wine` wrapper wants the 32-bit loader and says so on every start.
find_program(CORDON_WINE64 NAMES wine64 PATHS /usr/lib/wine NO_DEFAULT_PATH)
if(NOT CORDON_WINE64)
  find_program(CORDON_WINE64 NAMES wine64 wine)
endif()
if(CORDON_WINE64)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      /usr/bin/env WINEPREFIX=${CMAKE_BINARY_DIR}/wineprefix WINEDEBUG=-all
      WINEDLLOVERRIDES=mscoree,mshtml= DISPLAY= ${CORDON_WINE64})
endif()
