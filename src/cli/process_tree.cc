// SignalTree: a walk of /proc/PID/task/TID/children (see process_tree.h).
#include "cli/process_tree.h"

#include <dirent.h>
#include <signal.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace cordon::cli {
namespace {

std::vector<pid_t> Children(pid_t pid) {
  std::vector<pid_t> out;
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(task.c_str());
  if (dir == nullptr) return out;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(task + "/" + e->d_name + "/children");
    for (pid_t child = 0; in >> child;) out.push_back(child);
  }
  closedir(dir);
  return out;
}

}  // namespace

void SignalTree(pid_t root, int sig) {
  if (root <= 0) return;
  std::set<pid_t> sent;
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<pid_t> todo = {root};
    while (!todo.empty()) {
      const pid_t pid = todo.back();
      todo.pop_back();
      if (sent.insert(pid).second) (void)kill(pid, sig);
      for (pid_t child : Children(pid)) todo.push_back(child);
    }
  }
}

}  // namespace cordon::cli
