// Fuzzes what the Windows backend's uninstall reads back from disk: the ACE
// journal and the DACLs of journaled paths. No crash on any input; a
// journal that parses serialises back to the same bytes; a DACL that parses
// formats back to the same bytes and survives adding and removing an ACE.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "sandbox/windows/ace_journal.h"
#include "sandbox/windows/path_match.h"
#include "sandbox/windows/sddl.h"

using cordon::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace w = cordon::sandbox::windows;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  cordon::Result<std::vector<w::AceEntry>> journal = w::ParseJournal(input);
  if (journal.ok()) {
    const std::string again = w::SerializeJournal(journal.value());
    cordon::Result<std::vector<w::AceEntry>> reparsed = w::ParseJournal(again);
    Check(reparsed.ok() && reparsed.value() == journal.value());
  }

  cordon::Result<w::Dacl> dacl = w::ParseDacl(input);
  if (dacl.ok()) {
    Check(w::FormatDacl(dacl.value()) == input);
    const std::string ace = "(A;OICI;0x1301bf;;;S-1-15-3-1024-1-2-3-4-5-6-7-8)";
    cordon::Result<w::Dacl> with = w::WithAce(dacl.value(), ace);
    Check(with.ok());
    w::Dacl d = with.value();
    cordon::Result<bool> removed = w::RemoveAce(d, ace);
    Check(removed.ok() && removed.value());
  }

  cordon::Result<w::NormalPath> path = w::Normalize(input);
  if (path.ok()) {
    // The display form normalises to the same key (it is what the journal
    // stores).
    cordon::Result<w::NormalPath> again = w::Normalize(path.value().Display());
    Check(again.ok() && again.value().key == path.value().key);
  }
  return 0;
}
