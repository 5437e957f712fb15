// Windows paths as the Windows backend compares them: normalised once, then
// matched by a case-insensitive key, and by file identity where a string
// cannot be trusted.
//
// Every approximation here errs towards matching more, never less: a path
// that might name a protected file is treated as naming it, and one that
// only its file identity can settle is flagged for the Win32 layer to
// resolve (GetFileInformationByHandleEx(FileIdInfo)) before it is matched.
// - Separators: '/' and '\' alike; repeated separators collapse.
// - Prefixes: "C:\", "\\server\share\", "\\?\C:\", "\\?\UNC\server\share\",
//   "\\.\C:\" and "\\?\Volume{guid}\" are absolute; relative, drive-relative
//   ("C:x") and rooted ("\x") paths are refused (callers pass full paths).
// - "." and ".." are resolved lexically, as GetFullPathNameW does, except in
//   "\\?\" paths, where Windows takes them literally: refused there.
// - Trailing dots and spaces are stripped from every component. Win32 strips
//   them from the last component (and a single dot from the others), so
//   ".git." and ".git " open ".git"; stripping everywhere can only make a
//   name match a protected one more often.
// - Alternate data streams: "config::$DATA", "hooks:x" and
//   ".git::$INDEX_ALLOCATION" name (a stream of) the base file or directory,
//   so each component is cut at its first ':' (the stream of the last one is
//   kept in NormalPath::stream).
// - Case: NTFS compares names by upper-casing each UTF-16 unit through the
//   volume's $UpCase table (ordinal, no locale). The key upper-cases ASCII,
//   and maps U+0131 (dotless i) and U+017F (long s), whose upper cases are
//   ASCII 'I' and 'S', to those letters; any other non-ASCII character is
//   kept as is and flags the path (needs_identity), because $UpCase is the
//   volume's and is not reproduced here.
// - 8.3 short names: a component shaped like "GIT~1" or "CORDON~2.TOM" may
//   be another name's short alias; it flags the path (needs_identity).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace cordon::sandbox::windows {

enum class RootKind { kDrive, kUnc, kVolume };

struct NormalPath {
  RootKind kind = RootKind::kDrive;
  // "C:", "\\server\share" or "\\?\Volume{...}" as written (drive letter
  // upper-cased).
  std::string root;
  // The components below the root, streams cut off, trailing dots and
  // spaces stripped; original case.
  std::vector<std::string> components;
  // The stream named on the last component ("$DATA" for "x::$DATA", "s" for
  // "x:s"), empty when none.
  std::string stream;
  // The comparison key: root and components upper-cased as described above,
  // joined with '\'.
  std::string key;
  // Some component may be an 8.3 alias or holds non-ASCII characters: only
  // the file's identity can say what it names.
  bool needs_identity = false;

  // "C:\Users\me\repo": root and components joined with '\' ("C:\" for a
  // drive root).
  [[nodiscard]] std::string Display() const;
};

// Normalises an absolute path given in UTF-8. An Error names the path and
// why it was refused (relative, invalid UTF-8, a control character, ".." in
// a "\\?\" path or above the root, a device path such as "\\.\PIPE\x").
[[nodiscard]] Result<NormalPath> Normalize(std::string_view utf8_path);

// True when `inner` is `outer` or lies below it (by key; streams ignored).
[[nodiscard]] bool IsWithin(const NormalPath& inner, const NormalPath& outer);
[[nodiscard]] bool SamePath(const NormalPath& a, const NormalPath& b);

// What identifies a file on Windows whatever its name: the volume's serial
// number and the 128-bit file id (FILE_ID_INFO), filled in by the Win32
// layer from an open handle.
struct FileIdentity {
  uint64_t volume_serial = 0;
  std::array<uint8_t, 16> file_id{};
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

// A path that must not be written, with its identity when it exists.
struct ProtectedPath {
  NormalPath path;
  std::optional<FileIdentity> identity;
  std::string why;  // "git runs it", shown in denials
};

enum class Match {
  kNotProtected,
  kProtected,      // the candidate is or lies below a protected path
  kNeedsIdentity,  // the key cannot settle it and no identity was given
};

struct MatchResult {
  Match match = Match::kNotProtected;
  const ProtectedPath* which = nullptr;  // for kProtected
};

// Decides whether `candidate` is protected. `candidate_chain` holds the
// identities of the candidate and each of its existing ancestors (any
// order), as the Win32 layer read them; a protected path whose identity is
// among them matches whatever the candidate's spelling. A candidate that
// needs_identity and brings no identities is kNeedsIdentity, which callers
// treat as protected (fail closed).
[[nodiscard]] MatchResult MatchProtected(const NormalPath& candidate,
                                         const std::vector<FileIdentity>& candidate_chain,
                                         const std::vector<ProtectedPath>& protected_paths);

}  // namespace cordon::sandbox::windows
