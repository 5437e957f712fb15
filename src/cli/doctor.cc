// `cordon doctor`: placeholder until the checklist lands.
#include <cstdio>

#include "cli/commands.h"

namespace cordon::cli {

int DoctorCommand(const Command&) {
  std::fprintf(stderr, "cordon: doctor: not implemented yet\n");
  return 1;
}

}  // namespace cordon::cli
