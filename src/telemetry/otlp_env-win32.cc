// otlp_env.h's ProcessGetenv on Windows: GetEnvironmentVariableW, so a
// value outside the ANSI code page (OTEL_RESOURCE_ATTRIBUTES' values may be
// any text) arrives as the user wrote it.
#include <windows.h>

#include "sandbox/windows/win_error-win32.h"
#include "telemetry/otlp_env.h"

namespace cordon::telemetry {

Getenv ProcessGetenv() {
  return [](const char* name) {
    const std::wstring wide_name = sandbox::Widen(name);
    const DWORD size = GetEnvironmentVariableW(wide_name.c_str(), nullptr, 0);
    if (size == 0) return std::string();
    std::wstring value(size, L'\0');
    const DWORD n = GetEnvironmentVariableW(wide_name.c_str(), value.data(), size);
    if (n == 0 || n >= size) return std::string();
    value.resize(n);
    return sandbox::Narrow(value);
  };
}

}  // namespace cordon::telemetry
