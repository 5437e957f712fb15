// Paths under /proc built in a fixed buffer: the child, init and its
// threads must not allocate.
#pragma once

#include <cstddef>

namespace cordon::sandbox {

// Appends `s` at out[at], never past size - 1, and NUL-terminates; returns
// the new length.
inline size_t AppendText(char* out, size_t size, size_t at, const char* s) {
  while (*s != '\0' && at + 1 < size) out[at++] = *s++;
  out[at] = '\0';
  return at;
}

// Appends `value` in decimal, like AppendText.
inline size_t AppendDecimal(char* out, size_t size, size_t at, unsigned long value) {
  char digits[24];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0 && at + 1 < size) out[at++] = digits[--n];
  out[at] = '\0';
  return at;
}

// "/proc/ID/NAME"; returns its length.
inline size_t ProcPath(char* out, size_t size, unsigned long id, const char* name) {
  size_t at = AppendText(out, size, 0, "/proc/");
  at = AppendDecimal(out, size, at, id);
  at = AppendText(out, size, at, "/");
  return AppendText(out, size, at, name);
}

}  // namespace cordon::sandbox
