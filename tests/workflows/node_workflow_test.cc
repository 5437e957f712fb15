// Node as a developer uses it under `cordon run` (issue 14, point 5): `npm
// install` of a local tarball works with no flag (npm needs a writable
// cache, which the home is not), node requires the package, and the host's
// real ~/.npm is exactly what it was.
#include "workflow.h"

namespace cordon::wf {
namespace {

using it::MakeDirs;
using it::ReadFile;
using it::RunResult;
using it::WriteFile;

class NodeWorkflowTest : public WorkflowTest {};

TEST_F(NodeWorkflowTest, NpmInstallOfALocalTarballWithoutFlags) {
  CORDON_REQUIRE_TOOL("npm");
  CORDON_REQUIRE_TOOL("node");
  const std::string src = root_ / "pkgsrc";
  MakeDirs(src);
  WriteFile(src + "/package.json",
            R"({"name": "pkg", "version": "1.0.0", "main": "index.js", "license": "MIT"})"
            "\n");
  WriteFile(src + "/index.js", "module.exports = { value: 'tarball-required' };\n");
  // npm pack on the host, as the user (its cache and logs go to ~/.npm).
  HostIn(src, {FindTool("npm"), "pack", "--silent", "--pack-destination", ws_});
  ASSERT_TRUE(it::Exists(ws_ + "/pkg-1.0.0.tgz"));
  const std::string npm_cache = home_ + "/.npm";
  MakeDirs(npm_cache + "/_cacache");
  WriteFile(npm_cache + "/_cacache/marker", "the user's cache\n");
  it::Snapshot cache_before = it::TakeSnapshot(npm_cache);

  RunResult r = UserSh(ws_,
                       "npm install ./pkg-1.0.0.tgz && "
                       "node -e 'console.log(require(\"pkg\").value)'",
                       {}, 120);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("tarball-required\n"), std::string::npos) << r.Describe();
  EXPECT_NE(ReadFile(ws_ + "/package.json").find("pkg-1.0.0.tgz"), std::string::npos);
  EXPECT_TRUE(it::Exists(ws_ + "/node_modules/pkg/index.js"));
  EXPECT_EQ(it::DiffSnapshots(cache_before, it::TakeSnapshot(npm_cache)), "")
      << "the run changed the host's ~/.npm";
}

}  // namespace
}  // namespace cordon::wf
