#include "common/dir_names.h"

namespace cordon {

std::vector<std::string> TakeNames(DIR* d) {
  std::vector<std::string> names;
  while (dirent* ent = readdir(d)) {
    std::string name = ent->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  closedir(d);
  return names;
}

}  // namespace cordon
