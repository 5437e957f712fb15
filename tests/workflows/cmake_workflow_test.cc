// A C project built with cmake under `cordon run` (issue 14, point 4):
// configured from the project, then built from build/ with no --workspace,
// as `cd build && cordon run -- cmake --build .`; the binary it made runs.
#include "workflow.h"

namespace cordon::wf {
namespace {

using it::RunResult;
using it::WriteFile;

class CmakeWorkflowTest : public WorkflowTest {};

TEST_F(CmakeWorkflowTest, ConfigureThenBuildFromTheBuildDirectory) {
  CORDON_REQUIRE_TOOL("cmake");
  CORDON_REQUIRE_TOOL("cc");
  InitRepo(ws_);
  WriteFile(ws_ + "/.gitignore", "build/\n");
  WriteFile(ws_ + "/CMakeLists.txt",
            "cmake_minimum_required(VERSION 3.13)\nproject(hello C)\n"
            "add_executable(hello main.c)\n");
  WriteFile(ws_ + "/main.c",
            "#include <stdio.h>\nint main(void) { puts(\"hello-from-cmake\"); return 0; }\n");
  Git(ws_, {"add", "-A"});
  Git(ws_, {"commit", "-q", "-m", "hello"});

  RunResult configure = User(ws_, {}, {"cmake", "-S", ".", "-B", "build"}, 120);
  ASSERT_EQ(configure.exit_code, 0) << configure.Describe();

  const std::string build = ws_ + "/build";
  RunResult made = User(build, {}, {"cmake", "--build", "."}, 120);
  ASSERT_EQ(made.exit_code, 0) << made.Describe();
  // The binary runs, inside (from build/) and on the host.
  RunResult inside = User(build, {}, {"./hello"});
  EXPECT_EQ(inside.exit_code, 0) << inside.Describe();
  EXPECT_EQ(inside.out, "hello-from-cmake\n") << inside.Describe();
  EXPECT_EQ(HostIn(build, {build + "/hello"}), "hello-from-cmake\n");
  EXPECT_EQ(Git(ws_, {"status", "--porcelain", "--untracked-files=all"}), "");
}

}  // namespace
}  // namespace cordon::wf
