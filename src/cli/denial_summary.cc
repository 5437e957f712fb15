// Distinct denials of a run and the line that explains each (see
// denial_summary.h).
#include "cli/denial_summary.h"

#include <algorithm>

#include "policy/host_fs.h"
#include "policy/paths.h"

namespace cordon::cli {
namespace {

std::string Str(const Event& e, const char* key) {
  const AttrValue* v = e.Find(key);
  if (v == nullptr) return "";
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  return "";
}

int64_t Int(const Event& e, const char* key) {
  const AttrValue* v = e.Find(key);
  if (v == nullptr) return 0;
  if (const auto* i = std::get_if<int64_t>(v)) return *i;
  return 0;
}

bool Flag(const Event& e, const char* key) {
  const AttrValue* v = e.Find(key);
  const bool* b = v == nullptr ? nullptr : std::get_if<bool>(v);
  return b != nullptr && *b;
}

std::string HostPort(const std::string& host, int64_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

std::string Relative(const std::string& path, const std::string& workspace) {
  if (path.starts_with(workspace + "/")) return path.substr(workspace.size() + 1);
  return path;
}

// The directory to suggest for --writable: the path's parent, unless that
// is one cordon refuses (the home, /), then the path itself.
std::string WritableFor(const std::string& path, const std::string& home) {
  const size_t slash = path.rfind('/');
  const std::string parent = slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
  return parent == "/" || parent == home ? path : parent;
}

}  // namespace

void DenialSummary::Emit(Event event) {
  Denial d;
  if (event.name == "cordon.net.decision") {
    d.host = Str(event, "server.address");
    d.port = Int(event, "server.port");
    d.target = HostPort(d.host, d.port);
    d.rule = Str(event, "cordon.rule");
    d.reason = Str(event, "cordon.reason");
    if (Str(event, "cordon.decision") == "deny") {
      d.kind = "net";
    } else if (Flag(event, "cordon.upstream.failed")) {
      d.kind = "upstream";
    }
  } else if (event.name == "cordon.fs.denial") {
    d.kind = "write";
    d.target = Str(event, "file.path");
  }
  if (!d.kind.empty()) {
    d.key = d.kind + "|" + d.target;
    std::lock_guard<std::mutex> lock(mu_);
    if (std::none_of(denials_.begin(), denials_.end(),
                     [&](const Denial& x) { return x.key == d.key; })) {
      denials_.push_back(std::move(d));
    }
  }
  if (next_ != nullptr) next_->Emit(std::move(event));
}

std::vector<std::string> DenialSummary::Lines(const policy::Policy& policy, int exit_status) const {
  std::vector<std::string> out;
  std::lock_guard<std::mutex> lock(mu_);
  bool write_seen = false;
  for (const Denial& d : denials_) {
    if (d.kind == "net") {
      // Told as it happened, with the flag (the broker's notice).
      if (d.rule == "approval" && d.reason.starts_with("nobody to ask")) continue;
      std::string line = "denied: network " + d.target;
      line += d.reason.empty() ? "" : " (" + d.reason + ")";
      if (d.rule.starts_with("deny ")) {
        line += "; the rule " + d.rule + " denies it: remove that rule to allow it";
      } else if (d.rule.starts_with("no rule names address ")) {
        const std::string addr = d.rule.substr(std::string("no rule names address ").size());
        line += "; to allow: --allow-local " + HostPort(addr, d.port);
      } else if (policy.net != policy::NetMode::kProxy) {
        line += "; to allow: --net proxy --allow-domain " + d.host;
      } else {
        line += "; to allow: --allow-domain " + d.host + " (or [network] allow = [\"" + d.host +
                "\"] in the user config)";
      }
      out.push_back(std::move(line));
    } else if (d.kind == "upstream") {
      out.push_back("allowed but failed: network " + d.target + " (" + d.reason + "; rule " +
                    d.rule + "): cordon let it through, the destination itself failed");
    } else if (d.kind == "write") {
      write_seen = true;
      auto protect = std::find_if(
          policy.protect.begin(), policy.protect.end(),
          [&](const policy::PathRule& r) { return policy::IsWithin(d.target, r.path); });
      if (protect != policy.protect.end()) {
        std::string line = "denied: write to " + d.target + ": protected by " +
                           protect->origin.Describe() +
                           " (read-only in the sandbox; a rename or unlink of it fails with EBUSY, "
                           "a write with EROFS or EACCES)";
        line += protect->origin.kind == policy::Origin::Kind::kBuiltin
                    ? "; change it outside cordon"
                    : "; remove it from protect at " + protect->origin.Describe();
        out.push_back(std::move(line));
      } else {
        out.push_back("denied: write to " + d.target +
                      " (outside the writable roots); to allow: --writable " +
                      WritableFor(d.target, policy.home) +
                      " (or [filesystem] writable in the user config)");
      }
    }
  }
  // A failed command that may have met a protected path: say which exist,
  // without watching writes (that costs a round trip per write). Exit 1 is
  // too common (grep, test runners) to be worth a line.
  if (!write_seen && exit_status >= 2 && exit_status < 125 &&
      policy.mode != policy::Mode::kFullAccess) {
    std::string names;
    size_t shown = 0;
    for (const policy::PathRule& r : policy.protect) {
      if (policy::host_fs::KindOf(r.path) == policy::host_fs::Kind::kMissing) continue;
      if (shown++ < 4) names += (names.empty() ? "" : ", ") + Relative(r.path, policy.workspace);
    }
    if (shown > 4) names += " and " + std::to_string(shown - 4) + " more";
    if (shown > 0) {
      out.push_back("note: the command failed; if it reported EBUSY, EROFS or EACCES on " + names +
                    ": those are protected (read-only in the sandbox, see cordon policy show)");
    }
  }
  return out;
}

}  // namespace cordon::cli
