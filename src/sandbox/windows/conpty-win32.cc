// Creating the pseudo console and its pipes (see conpty-win32.h).
//
// The console's own ends of the pipes are closed here right after
// CreatePseudoConsole, which duplicated them: while cordon held them, a
// read of the output would never see the end of the stream.
#include "sandbox/windows/conpty-win32.h"

#include <string>
#include <utility>

#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::conpty {

Result<PseudoConsole> Open(short columns, short rows) {
  HANDLE console_input = nullptr;
  HANDLE our_input = nullptr;
  if (!CreatePipe(&console_input, &our_input, nullptr, 0)) {
    return WinError("CreatePipe", "pseudo console input", GetLastError());
  }
  UniqueHandle console_in(console_input);
  UniqueHandle input(our_input);
  HANDLE our_output = nullptr;
  HANDLE console_output = nullptr;
  if (!CreatePipe(&our_output, &console_output, nullptr, 0)) {
    return WinError("CreatePipe", "pseudo console output", GetLastError());
  }
  UniqueHandle output(our_output);
  UniqueHandle console_out(console_output);

  HPCON handle = nullptr;
  const HRESULT hr =
      CreatePseudoConsole(COORD{columns, rows}, console_in.get(), console_out.get(), 0, &handle);
  if (FAILED(hr)) {
    return WinError("CreatePseudoConsole", std::to_string(columns) + "x" + std::to_string(rows),
                    static_cast<DWORD>(hr));
  }
  return PseudoConsole(handle, std::move(input), std::move(output));
}

}  // namespace cordon::sandbox::conpty
