// A temporary workspace tree for the Windows tests that put ACEs on real
// files: %TEMP%\<prefix>-<pid>-<tag>\ws with folders and empty files below
// it, every path listed parents first so it can be read, compared and
// removed in order.
#pragma once

#include <windows.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "check.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {

struct TestTree {
  std::string base;                // %TEMP%\<prefix>-<pid>-<tag>
  std::string ws;                  // base\ws
  std::vector<std::string> paths;  // ws and everything below it, parents first
};

// Makes base, ws, then `dirs` and empty `files` (relative to ws, parents
// first); each failure is a failed check.
inline TestTree MakeTestTree(Test& t, const std::string& prefix, const char* tag,
                             std::initializer_list<const char*> dirs,
                             std::initializer_list<const char*> files) {
  wchar_t tmp[MAX_PATH + 1];
  const DWORD n = GetTempPathW(MAX_PATH + 1, tmp);
  TestTree tree;
  tree.base = sandbox::Narrow(std::wstring(tmp, n)) + prefix + "-" +
              std::to_string(GetCurrentProcessId()) + "-" + tag;
  tree.ws = tree.base + "\\ws";
  std::vector<std::string> made_dirs = {tree.base, tree.ws};
  for (const char* d : dirs) made_dirs.push_back(tree.ws + "\\" + d);
  for (const std::string& d : made_dirs) {
    CORDON_CHECK(t, CreateDirectoryW(sandbox::Widen(d).c_str(), nullptr) != 0, "mkdir " + d);
    if (d != tree.base) tree.paths.push_back(d);
  }
  for (const char* name : files) {
    const std::string f = tree.ws + "\\" + name;
    HANDLE h = CreateFileW(sandbox::Widen(f).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
    CORDON_CHECK(t, h != INVALID_HANDLE_VALUE, "create " + f);
    CloseHandle(h);
    tree.paths.push_back(f);
  }
  return tree;
}

// Removes the tree's paths, children first (base itself stays).
inline void RemoveTreePaths(const TestTree& tree) {
  for (auto it = tree.paths.rbegin(); it != tree.paths.rend(); ++it) {
    if (!DeleteFileW(sandbox::Widen(*it).c_str())) RemoveDirectoryW(sandbox::Widen(*it).c_str());
  }
}

}  // namespace cordon::wintest
