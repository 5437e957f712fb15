// Win32 failures as cordon Errors, and the UTF-8 <-> UTF-16 conversions the
// Windows backend needs at every API call.
//
// A Win32 error code is not an errno: it goes into Error::detail as the
// system's own text and the number, "CreateJobObjectW: Access is denied.
// (Win32 error 5)", so Error::err stays 0.
#pragma once

#include <windows.h>

#include <string>
#include <string_view>

#include "common/error.h"

namespace cordon::sandbox {

// Builds an Error from a failed Win32 call; pass GetLastError() (or the
// HRESULT / NTSTATUS the call returned) read right after the call.
[[nodiscard]] Error WinError(std::string op, std::string object, DWORD code);

// The system's message for `code`, without the trailing newline; empty when
// the system has none.
[[nodiscard]] std::string WinErrorText(DWORD code);

// UTF-8 to UTF-16 and back. Invalid sequences become U+FFFD (these strings
// are names and messages, never security decisions).
[[nodiscard]] std::wstring Widen(std::string_view utf8);
[[nodiscard]] std::string Narrow(std::wstring_view utf16);

}  // namespace cordon::sandbox
