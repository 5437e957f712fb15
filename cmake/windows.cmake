# The Windows build, included by CMakeLists.txt when WIN32 (cross-compiled
# with cmake/mingw-w64-x86_64.cmake, see scripts/test-windows-cross.sh).
#
# It builds src/common, src/policy (whole: its *-win32.cc halves,
# docs/windows.md "The policy on Windows"), the backend folder
# src/sandbox/windows/ (its platform-neutral logic, which Linux's unit tests
# also cover, and its *-win32.cc mechanism wrappers), src/telemetry (its
# *-win32.cc halves: the day files, the run ids, no OTLP exporter yet;
# docs/telemetry.md "On Windows"), the allowlist proxy src/proxy (its
# *-win32.cc halves; tested under Wine by tests/windows/proxy_test.cc and,
# as a run starts it, online_test.cc), the vault src/vault (the shared record
# format and read-modify-write, and the *-win32.cc halves: CNG's AES-256-GCM
# and BCryptGenRandom, the key under DPAPI, files under a protected DACL;
# libsodium has no mingw package; docs/windows.md "Credentials"), the
# approval broker src/approval (its *-win32.cc halves: the console channel,
# the config edit; tested under Wine by tests/windows/approval_test.cc
# through a pseudo console; the online run's proxy asks it) and
# cordon.exe (src/cli/*-win32.cc: run, policy show, setup, uninstall,
# doctor; the shared src/cli/secret.cc for `secret`; docs/windows.md
# "Running a command"). cordon.exe parses its flags itself (src/cli/policy-win32.cc)
# until the shared CLI parser (src/cli/flags.cc) builds here. The tests
# (tests/windows/) run under Wine through ctest.
set(CORDON_SANDBOX_PLATFORM windows)

# Windows 10 1809 (RS5) is the oldest with ConPTY; the backend needs
# Windows 10/11 anyway. UNICODE: every Win32 call is the W one.
add_compile_definitions(CORDON_VERSION="${PROJECT_VERSION}" _WIN32_WINNT=0x0A00
  NTDDI_VERSION=0x0A000006 WIN32_LEAN_AND_MEAN NOMINMAX UNICODE _UNICODE)
# One .exe with no MinGW DLLs beside it (libstdc++, libgcc, winpthread).
add_link_options(-static)
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)

# The header-only libraries Debian installs for Linux, each directory linked
# into one include root of the build tree: the mingw compiler must never
# see the rest of /usr/include (glibc's headers).
set(CORDON_WIN_THIRD_PARTY ${CMAKE_BINARY_DIR}/third_party_include)
foreach(dir nlohmann CLI toml++ fmt)
  if(EXISTS /usr/include/${dir} AND NOT EXISTS ${CORDON_WIN_THIRD_PARTY}/${dir})
    file(MAKE_DIRECTORY ${CORDON_WIN_THIRD_PARTY})
    file(CREATE_LINK /usr/include/${dir} ${CORDON_WIN_THIRD_PARTY}/${dir} SYMBOLIC)
  endif()
endforeach()
add_library(cordon_third_party INTERFACE)
target_include_directories(cordon_third_party SYSTEM INTERFACE ${CORDON_WIN_THIRD_PARTY})

add_library(cordon_common STATIC src/common/dir_names.cc src/common/errno_name-win32.cc
  src/common/error.cc src/common/event.cc src/common/json_text.cc src/common/outcome.cc
  src/common/terminal_text.cc)
target_include_directories(cordon_common PUBLIC src)
# json_text.cc falls back to nlohmann::json for strings that are not UTF-8.
target_link_libraries(cordon_common PUBLIC cordon_third_party)

# What both the policy and the backend need of Windows: the backend's path
# normalisation (case-insensitive keys: the policy compares paths the way the
# backend will enforce them) and the UTF-8 <-> UTF-16 conversions.
# SHA-256 too: the SIDs derived from names and the telemetry's policy hash.
set(CORDON_WIN_BASE_SRC src/sandbox/windows/path_match.cc src/sandbox/windows/sha256.cc
  src/sandbox/windows/win_error-win32.cc)
add_library(cordon_win_base STATIC ${CORDON_WIN_BASE_SRC})
target_link_libraries(cordon_win_base PUBLIC cordon_common)

# The policy: the shared files and the *-win32.cc half of each pair
# (src/policy/host_fs.h: the file system, paths.h: path syntax and
# comparison, host_facts: HostFacts::FromProcess, root_only: none).
file(GLOB CORDON_POLICY_SRC CONFIGURE_DEPENDS src/policy/*.cc)
list(FILTER CORDON_POLICY_SRC EXCLUDE REGEX "-unix\\.cc$")
add_library(cordon_policy STATIC ${CORDON_POLICY_SRC})
target_link_libraries(cordon_policy PUBLIC cordon_common PRIVATE cordon_win_base cordon_third_party
  ws2_32)
target_compile_definitions(cordon_policy PRIVATE TOML_HEADER_ONLY=1 TOML_EXCEPTIONS=1)

# The allowlist proxy: the Linux proxy's code, with the *-win32.cc half of
# each pair (socket: Winsock; poller: select; waker: a loopback UDP socket;
# tunnel: a copy loop where Linux splices). docs/proxy.md.
file(GLOB CORDON_PROXY_SRC CONFIGURE_DEPENDS src/proxy/*.cc)
list(FILTER CORDON_PROXY_SRC EXCLUDE REGEX "-unix\\.cc$")
add_library(cordon_proxy STATIC ${CORDON_PROXY_SRC})
target_link_libraries(cordon_proxy PUBLIC cordon_policy cordon_common ws2_32)

# The backend folder: every *-win32.cc here, and the platform-neutral files
# beside them (which the Linux build compiles into its unit tests).
file(GLOB CORDON_SANDBOX_SRC CONFIGURE_DEPENDS src/sandbox/${CORDON_SANDBOX_PLATFORM}/*.cc)
foreach(base ${CORDON_WIN_BASE_SRC})
  list(REMOVE_ITEM CORDON_SANDBOX_SRC ${CMAKE_SOURCE_DIR}/${base})
endforeach()
add_library(cordon_sandbox STATIC ${CORDON_SANDBOX_SRC})
target_link_libraries(cordon_sandbox PUBLIC cordon_win_base cordon_common cordon_third_party
  PRIVATE crypt32 bcrypt fwpuclnt)

# The grant-root facts (profile_facts-win32.cc): known folders, the
# profile directory.
target_link_libraries(cordon_sandbox PRIVATE shell32 ole32 userenv uuid)

# Telemetry: the shared files and the *-win32.cc half of each pair
# (event_file: the day files; ids: BCryptGenRandom; run_sink: no exporter
# yet). The exporter program (otlp_export_main.cc, libcurl) is not built.
file(GLOB CORDON_TELEMETRY_SRC CONFIGURE_DEPENDS src/telemetry/*.cc)
list(FILTER CORDON_TELEMETRY_SRC EXCLUDE REGEX "(-unix|_main)\.cc$")
add_library(cordon_telemetry STATIC ${CORDON_TELEMETRY_SRC})
target_link_libraries(cordon_telemetry PUBLIC cordon_common PRIVATE cordon_win_base
  cordon_third_party bcrypt)

# The online identity of a run (its setup read back, the proxy started on
# the recorded port): a library, so that tests/windows/online_test.cc runs
# the same code cordon.exe does.
add_library(cordon_online STATIC src/cli/run_online-win32.cc)
target_link_libraries(cordon_online PUBLIC cordon_proxy cordon_policy cordon_sandbox ws2_32 iphlpapi)
# The vault: format.cc, crypto.cc and store.cc shared, the *-win32.cc
# halves (CNG, DPAPI, DACLs, LockFileEx).
file(GLOB CORDON_VAULT_SRC CONFIGURE_DEPENDS src/vault/*.cc)
list(FILTER CORDON_VAULT_SRC EXCLUDE REGEX "-unix\\.cc$")
add_library(cordon_vault STATIC ${CORDON_VAULT_SRC})
target_link_libraries(cordon_vault PUBLIC cordon_common PRIVATE cordon_sandbox cordon_win_base
  bcrypt crypt32 advapi32)

# Approvals: the Linux broker, questions, events, config edit and re-run
# loop, with the *-win32.cc half of each pair (channel: the console;
# config_edit: the file replaced with MoveFileExW; worker_thread). The
# writable-path offer (writable_offer.cc) reads Landlock denials and
# /proc: Linux only. docs/approvals.md "On Windows".
file(GLOB CORDON_APPROVAL_SRC CONFIGURE_DEPENDS src/approval/*.cc)
list(FILTER CORDON_APPROVAL_SRC EXCLUDE REGEX "(-unix|writable_offer)\\.cc$")
add_library(cordon_approval STATIC ${CORDON_APPROVAL_SRC})
target_link_libraries(cordon_approval PUBLIC cordon_proxy cordon_policy cordon_common
  PRIVATE cordon_win_base cordon_third_party)

# The run's events are the shared cli/run_events.cc over its -win32.cc half;
# its broker the shared cli/run_broker.cc with the console channel.
add_executable(cordon src/cli/main-win32.cc src/cli/doctor_live-win32.cc
  src/cli/maintenance-win32.cc src/cli/policy-win32.cc src/cli/run-win32.cc
  src/cli/run_console-win32.cc src/cli/log.cc src/cli/log_flags.cc src/cli/log_host-win32.cc
  src/cli/run_events.cc src/cli/run_events-win32.cc src/cli/denial_summary.cc
  src/cli/limit_report.cc src/cli/secret.cc src/cli/secret_args-win32.cc
  src/cli/secret_host-win32.cc src/cli/run_broker.cc src/cli/run_broker-win32.cc)
target_link_libraries(cordon PRIVATE cordon_online cordon_policy cordon_sandbox cordon_telemetry
  cordon_vault cordon_approval cordon_third_party shell32 ws2_32)

if(CORDON_TESTS)
  enable_testing()
  add_subdirectory(tests/windows)
endif()
