// `cordon secret set|get|list|rm`: the credential vault from the command
// line. Values never appear in argv (set reads the terminal without echo or
// stdin) and are printed only by `get`, never to a terminal unless --reveal.
// Shared by both platforms; what differs (terminals, the state directory)
// is secret_host.h's.
#include <errno.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/granted_secrets.h"
#include "cli/secret_host.h"
#include "vault/store.h"

namespace cordon::cli {

namespace {

int Fail(const Error& e) {
  std::fprintf(stderr, "cordon: %s\n", e.Describe().c_str());
  return 1;
}

Result<vault::Store> OpenVault() {
  auto state = secret_host::StateDir();
  if (!state.ok()) return state.error();
  auto id = vault::Identity::FromHost();
  if (!id.ok()) return id.error();
  return vault::Store::Open(vault::Paths::ForState(state.value()), id.value());
}

int Set(const MaintenanceArgs& command) {
  Result<std::string> value = std::string();
  if (command.from_stdin) {
    value = secret_host::ReadStdin();
    if (value.ok()) {
      // `echo VALUE | cordon secret set NAME --stdin` stores VALUE.
      std::string& v = value.value();
      if (!v.empty() && v.back() == '\n') v.pop_back();
      if (!v.empty() && v.back() == '\r') v.pop_back();
    }
  } else if (secret_host::StdinIsTerminal()) {
    value = secret_host::ReadHidden(command.secret_name);
  } else {
    return Fail(PlainError("secret set", command.secret_name,
                           "standard input is not a terminal: pass --stdin to read the value "
                           "from it"));
  }
  if (!value.ok()) return Fail(value.error());
  auto store = OpenVault();
  if (!store.ok()) return Fail(store.error());
  Status s = store.value().Set(command.secret_name, value.value());
  vault::Wipe(value.value().data(), value.value().size());
  if (!s.ok()) return Fail(s.error());
  std::fprintf(stderr, "cordon: secret %s stored\n", command.secret_name.c_str());
  return 0;
}

int Get(const MaintenanceArgs& command) {
  if (secret_host::StdoutIsTerminal() && !command.reveal) {
    return Fail(PlainError("secret get", command.secret_name,
                           "refusing to print a secret to a terminal: pipe it, or pass --reveal"));
  }
  auto store = OpenVault();
  if (!store.ok()) return Fail(store.error());
  auto secrets = store.value().Load();
  if (!secrets.ok()) return Fail(secrets.error());
  auto it = secrets.value().find(command.secret_name);
  if (it == secrets.value().end()) {
    return Fail(
        PlainError("secret get", command.secret_name, "no such secret (see 'cordon secret list')"));
  }
  secret_host::RawStdout();
  std::fwrite(it->second.data(), 1, it->second.size(), stdout);
  std::fputc('\n', stdout);
  if (std::fflush(stdout) != 0) return Fail(SysError("write", "stdout", errno));
  return 0;
}

int List() {
  auto store = OpenVault();
  if (!store.ok()) return Fail(store.error());
  auto secrets = store.value().Load();
  if (!secrets.ok()) return Fail(secrets.error());
  for (const auto& [name, value] : secrets.value()) std::printf("%s\n", name.c_str());
  return 0;
}

int Remove(const MaintenanceArgs& command) {
  auto store = OpenVault();
  if (!store.ok()) return Fail(store.error());
  auto removed = store.value().Remove(command.secret_name);
  if (!removed.ok()) return Fail(removed.error());
  if (!removed.value()) {
    return Fail(
        PlainError("secret rm", command.secret_name, "no such secret (see 'cordon secret list')"));
  }
  std::fprintf(stderr, "cordon: secret %s removed\n", command.secret_name.c_str());
  return 0;
}

}  // namespace

int SecretCommand(Command::Kind kind, const MaintenanceArgs& command) {
  switch (kind) {
    case Command::Kind::kSecretSet:
      return Set(command);
    case Command::Kind::kSecretGet:
      return Get(command);
    case Command::Kind::kSecretList:
      return List();
    case Command::Kind::kSecretRm:
      return Remove(command);
    default:
      return 1;
  }
}

Result<std::vector<std::string>> GrantedSecretEnv(const policy::Policy& policy) {
  std::vector<std::string> out;
  if (policy.secrets.empty()) return out;
  auto store = OpenVault();
  if (!store.ok()) return store.error();
  auto secrets = store.value().Load();
  if (!secrets.ok()) return secrets.error();
  for (const policy::SecretGrant& g : policy.secrets) {
    auto it = secrets.value().find(g.name);
    if (it == secrets.value().end()) {
      Error e = PlainError("secret", g.name,
                           "granted by " + g.origin.Describe() + " but not in the vault");
      e.hint = "store it with 'cordon secret set " + g.name + "'";
      return e;
    }
    out.push_back(g.env + "=" + it->second);
  }
  return out;
}

}  // namespace cordon::cli
