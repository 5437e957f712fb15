// Python as a developer uses it under `cordon run` (issue 14, point 5): a
// venv made in the workspace, pip installing a local wheel offline, the
// package imported, with no complaint about pip's cache and the host's real
// cache untouched.
#include <cctype>

#include "workflow.h"

namespace cordon::wf {
namespace {

using it::MakeDirs;
using it::RunResult;
using it::WriteFile;

// Writes dist/pkg-0.1-py3-none-any.whl under dir with the host's python:
// a module and the three dist-info files pip needs (METADATA, WHEEL, RECORD
// with real hashes), made by hand so that no build backend is needed.
constexpr char kMakeWheel[] = R"(
import base64, hashlib, os, sys, zipfile
os.makedirs("dist", exist_ok=True)
files = {
    "pkg/__init__.py": "VALUE = 'wheel-imported'\n",
    "pkg-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: pkg\nVersion: 0.1\n",
    "pkg-0.1.dist-info/WHEEL":
        "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
with zipfile.ZipFile("dist/pkg-0.1-py3-none-any.whl", "w") as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("pkg-0.1.dist-info/RECORD,,")
    z.writestr("pkg-0.1.dist-info/RECORD", "\n".join(record) + "\n")
)";

class PythonWorkflowTest : public WorkflowTest {};

TEST_F(PythonWorkflowTest, VenvPipInstallOfALocalWheelImports) {
  CORDON_REQUIRE_TOOL("python3");
  if (it::RunProcess({FindTool("python3"), "-c", "import ensurepip, venv"}, env_, ws_).exit_code !=
      0)
    GTEST_SKIP() << "not installed: python3-venv (scripts/deps.sh installs it)";
  HostIn(ws_, {FindTool("python3"), "-c", kMakeWheel});
  // The user's real pip cache exists (it does on any machine that used pip).
  const std::string cache = home_ + "/.cache/pip";
  MakeDirs(cache + "/http-v2");
  WriteFile(cache + "/http-v2/entry", "cached response\n");
  it::Snapshot cache_before = it::TakeSnapshot(cache);

  RunResult r = UserSh(ws_,
                       "python3 -m venv .venv && "
                       ".venv/bin/pip install --no-index ./dist/pkg-0.1-py3-none-any.whl && "
                       ".venv/bin/python -c 'import pkg; print(pkg.VALUE)'",
                       {}, 120);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("Successfully installed pkg-0.1"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("\nwheel-imported\n"), std::string::npos) << r.Describe();
  // pip's own warning ("The cache has been disabled", "... is not writable
  // by the current user"): every line of pip's stderr.
  std::string lower;
  for (char c : r.err) lower += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(lower.find("cache"), std::string::npos) << "pip complained about its cache\n"
                                                    << r.Describe();
  EXPECT_EQ(it::DiffSnapshots(cache_before, it::TakeSnapshot(cache)), "")
      << "the run wrote the host's real pip cache";
  // The venv is the user's: the host's own python imports from it too.
  EXPECT_EQ(HostIn(ws_, {ws_ + "/.venv/bin/python", "-c", "import pkg; print(pkg.VALUE)"}),
            "wheel-imported\n");
}

}  // namespace
}  // namespace cordon::wf
