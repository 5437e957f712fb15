// The quarantine of protected paths a run created (quarantine-win32.h), on
// a real tree: what was created under a missing protected name is moved
// out whole (a directory with its files, a file with its bytes), what is
// still absent is not listed, and an ordinary file beside them stays.
#include <windows.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "sandbox/windows/quarantine-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

using sandbox::Narrow;
using sandbox::Widen;

bool Exists(const std::string& path) {
  return GetFileAttributesW(Widen(path).c_str()) != INVALID_FILE_ATTRIBUTES;
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(std::filesystem::path(Widen(path)), std::ios::binary) << text;
}

std::string Read(const std::string& path) {
  std::ifstream in(std::filesystem::path(Widen(path)), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TempDir() {
  wchar_t base[MAX_PATH];
  GetTempPathW(MAX_PATH, base);
  std::string dir = Narrow(base) + "cordon-quarantine-" + std::to_string(GetCurrentProcessId());
  CreateDirectoryW(Widen(dir).c_str(), nullptr);
  return dir;
}

void CreatedProtectedPathsAreMovedOutWhole(Test& t) {
  const std::string dir = TempDir();
  const std::string ws = dir + "\\ws";
  CreateDirectoryW(Widen(ws).c_str(), nullptr);
  CreateDirectoryW(Widen(ws + "\\.git").c_str(), nullptr);
  CreateDirectoryW(Widen(ws + "\\.git\\hooks").c_str(), nullptr);
  Write(ws + "\\.git\\hooks\\pre-commit", "#!/bin/sh\necho owned\n");
  Write(ws + "\\.cordon.toml", "[filesystem]\nwritable = [\"C:/\"]\n");
  Write(ws + "\\ordinary.txt", "stays");
  const std::vector<std::string> absent = {ws + "\\.git\\hooks", ws + "\\.cordon.toml",
                                           ws + "\\.envrc"};
  const std::vector<sandbox::windows::Quarantined> moved =
      sandbox::windows::QuarantineCreated(absent, dir + "\\quarantine");

  CORDON_CHECK(t, moved.size() == 2, "two created paths, got " + std::to_string(moved.size()));
  for (const auto& q : moved) {
    CORDON_CHECK(t, !q.moved_to.empty(), q.path + " moved: " + q.error);
    CORDON_CHECK(t, !Exists(q.path), q.path + " is gone from the tree");
  }
  if (moved.size() == 2 && !moved[0].moved_to.empty() && !moved[1].moved_to.empty()) {
    CORDON_CHECK(t, Read(moved[0].moved_to + "\\pre-commit") == "#!/bin/sh\necho owned\n",
                 "the hook moved with its bytes: " + moved[0].moved_to);
    CORDON_CHECK(t, Read(moved[1].moved_to).starts_with("[filesystem]"),
                 "the config moved with its bytes: " + moved[1].moved_to);
    CORDON_CHECK(t, moved[0].moved_to.starts_with(dir + "\\quarantine\\run-"),
                 "under the quarantine root: " + moved[0].moved_to);
  }
  CORDON_CHECK(t, Read(ws + "\\ordinary.txt") == "stays", "an ordinary file stays");
  CORDON_CHECK(t, Exists(ws + "\\.git"), ".git itself stays (it was not protected)");
}

void NothingCreatedNothingListed(Test& t) {
  const std::string dir = TempDir();
  const std::vector<sandbox::windows::Quarantined> moved = sandbox::windows::QuarantineCreated(
      {dir + "\\none\\.git\\hooks", dir + "\\none\\.cordon.toml"}, dir + "\\quarantine2");
  CORDON_CHECK(t, moved.empty(), "nothing was created, nothing is listed");
  CORDON_CHECK(t, !Exists(dir + "\\quarantine2"), "and no quarantine folder is made");
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(
      argc, argv,
      {Case{"CreatedProtectedPathsAreMovedOutWhole", w::CreatedProtectedPathsAreMovedOutWhole},
       Case{"NothingCreatedNothingListed", w::NothingCreatedNothingListed}});
}
