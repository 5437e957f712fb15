// Parsing, defaults and rendering of the resource limits (limits.h).
//
// The parsers take hostile text (a project's .cordon.toml): digits are read
// one by one with overflow checks, never through strtod, so "1e999", "nan",
// " 5" and "0x10" are refused rather than rounded into a value.
#include "policy/limits.h"

#include <cctype>
#include <cstdio>

namespace cordon::policy {

namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// A decimal "I[.F]": the integer part and up to `max_fraction` fraction
// digits, as whole and fraction/10^fraction_digits. Consumes the digits and
// the dot from the front of `text`.
struct Decimal {
  int64_t whole = 0;
  int64_t fraction = 0;
  int fraction_digits = 0;
};

// The ways a decimal can be wrong, for the error message.
enum class DecimalError { kNone, kSyntax, kTooManyDecimals, kTooLarge };

DecimalError ReadDecimal(std::string_view* text, int max_fraction, Decimal* out) {
  std::string_view& t = *text;
  size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])) != 0) {
    if (__builtin_mul_overflow(out->whole, 10, &out->whole) ||
        __builtin_add_overflow(out->whole, t[i] - '0', &out->whole)) {
      return DecimalError::kTooLarge;
    }
    ++i;
  }
  if (i == 0) return DecimalError::kSyntax;
  if (i < t.size() && t[i] == '.') {
    ++i;
    const size_t first = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])) != 0) {
      if (out->fraction_digits == max_fraction) return DecimalError::kTooManyDecimals;
      out->fraction = out->fraction * 10 + (t[i] - '0');
      ++out->fraction_digits;
      ++i;
    }
    if (i == first) return DecimalError::kSyntax;  // "1." is a typo, not 1
  }
  t.remove_prefix(i);
  return DecimalError::kNone;
}

int64_t Pow10(int n) {
  int64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// "K", "MiB", "gb", "t", "B", "" -> the multiplier; 0 when not a unit.
int64_t UnitMultiplier(std::string_view unit) {
  if (unit.empty() || EqualsNoCase(unit, "b")) return 1;
  int64_t m = 0;
  switch (std::tolower(static_cast<unsigned char>(unit.front()))) {
    case 'k':
      m = kKiB;
      break;
    case 'm':
      m = kMiB;
      break;
    case 'g':
      m = kGiB;
      break;
    case 't':
      m = kTiB;
      break;
    default:
      return 0;
  }
  unit.remove_prefix(1);
  return unit.empty() || EqualsNoCase(unit, "b") || EqualsNoCase(unit, "ib") ? m : 0;
}

std::string Quoted(std::string_view text) {
  // Bounded and printable: the text may be a hostile file's.
  std::string out;
  for (char c : text.substr(0, 64)) {
    out += std::isprint(static_cast<unsigned char>(c)) != 0 ? c : '?';
  }
  if (text.size() > 64) out += "...";
  return "'" + out + "'";
}

// A size in bytes; 1.5G is 1.5 * 2^30, rounded down to a byte.
Result<int64_t> ParseSize(const LimitSpec& spec, std::string_view text, std::string_view name) {
  auto bad = [&](const std::string& why) -> Error {
    return PlainError(
        "limit", "",
        std::string(name) + ": " + why + "expected " + spec.forms + " (got " + Quoted(text) + ")");
  };
  std::string_view rest = text;
  Decimal d;
  switch (ReadDecimal(&rest, 6, &d)) {
    case DecimalError::kNone:
      break;
    case DecimalError::kTooLarge:
      return bad("too large; ");
    case DecimalError::kTooManyDecimals:
      return bad("too many decimals; ");
    case DecimalError::kSyntax:
      return bad("");
  }
  const int64_t mult = UnitMultiplier(rest);
  if (mult == 0) return bad("unknown unit " + Quoted(rest) + "; ");
  if (mult == 1 && d.fraction_digits > 0) return bad("a number of bytes is whole; ");
  int64_t bytes = 0;
  // fraction < 10^6 and mult <= 2^40: the product fits in 63 bits.
  if (__builtin_mul_overflow(d.whole, mult, &bytes) ||
      __builtin_add_overflow(bytes, d.fraction * mult / Pow10(d.fraction_digits), &bytes)) {
    return bad("too large; ");
  }
  return bytes;
}

Result<int64_t> ParseCount(const LimitSpec& spec, std::string_view text, std::string_view name) {
  std::string_view rest = text;
  Decimal d;
  DecimalError e = ReadDecimal(&rest, 0, &d);
  if (e == DecimalError::kTooLarge) {
    return PlainError(
        "limit", "",
        std::string(name) + ": too large; expected " + spec.forms + " (got " + Quoted(text) + ")");
  }
  if (e != DecimalError::kNone || !rest.empty()) {
    return PlainError(
        "limit", "",
        std::string(name) + ": expected " + spec.forms + " (got " + Quoted(text) + ")");
  }
  return d.whole;
}

// Cores as thousandths: "1.5" is 1500.
Result<int64_t> ParseCpus(const LimitSpec& spec, std::string_view text, std::string_view name) {
  std::string_view rest = text;
  Decimal d;
  DecimalError e = ReadDecimal(&rest, 3, &d);
  std::string why;
  if (e == DecimalError::kTooManyDecimals) why = "at most 3 decimals; ";
  if (e == DecimalError::kTooLarge) why = "too large; ";
  int64_t millis = 0;
  if (e == DecimalError::kNone && rest.empty()) {
    if (__builtin_mul_overflow(d.whole, 1000, &millis) ||
        __builtin_add_overflow(millis, d.fraction * Pow10(3 - d.fraction_digits), &millis)) {
      why = "too large; ";
    } else {
      return millis;
    }
  }
  return PlainError(
      "limit", "",
      std::string(name) + ": " + why + "expected " + spec.forms + " (got " + Quoted(text) + ")");
}

// "1.5", "17.55", "6": at most two decimals, trailing zeros dropped.
std::string TwoDecimals(int64_t value, int64_t unit) {
  const int64_t hundredths = static_cast<int64_t>((static_cast<__int128>(value) * 100 + unit / 2) /
                                                  static_cast<__int128>(unit));
  std::string out = std::to_string(hundredths / 100);
  const int64_t frac = hundredths % 100;
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%02lld", static_cast<long long>(frac));
    std::string f = buf;
    if (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

std::string FormatSize(int64_t bytes) {
  struct Unit {
    int64_t size;
    const char* name;
  };
  for (const Unit& u :
       {Unit{kTiB, "TiB"}, Unit{kGiB, "GiB"}, Unit{kMiB, "MiB"}, Unit{kKiB, "KiB"}}) {
    if (bytes >= u.size) return TwoDecimals(bytes, u.size) + " " + u.name;
  }
  return std::to_string(bytes) + " bytes";
}

Origin Builtin(std::string note) {
  Origin o;
  o.kind = Origin::Kind::kBuiltin;
  o.note = std::move(note);
  return o;
}

// One field of Limits by kind, for Limits and const Limits alike.
template <typename L>
auto& ValueOf(L& l, LimitKind kind) {
  switch (kind) {
    case LimitKind::kMemory:
      return l.memory_bytes;
    case LimitKind::kPids:
      return l.pids;
    case LimitKind::kCpus:
      return l.cpu_millis;
    case LimitKind::kTmp:
      break;
  }
  return l.tmp_bytes;
}

template <typename L>
auto& OriginOf(L& l, LimitKind kind) {
  switch (kind) {
    case LimitKind::kMemory:
      return l.memory_origin;
    case LimitKind::kPids:
      return l.pids_origin;
    case LimitKind::kCpus:
      return l.cpus_origin;
    case LimitKind::kTmp:
      break;
  }
  return l.tmp_origin;
}

}  // namespace

const LimitSpec& Spec(LimitKind kind) {
  for (const LimitSpec& s : kLimitSpecs) {
    if (s.kind == kind) return s;
  }
  return kLimitSpecs.front();  // unreachable: every kind has a spec
}

int64_t& LimitValue(Limits& limits, LimitKind kind) { return ValueOf(limits, kind); }
int64_t LimitValue(const Limits& limits, LimitKind kind) { return ValueOf(limits, kind); }
Origin& LimitOrigin(Limits& limits, LimitKind kind) { return OriginOf(limits, kind); }
const Origin& LimitOrigin(const Limits& limits, LimitKind kind) { return OriginOf(limits, kind); }

Result<int64_t> ParseLimit(LimitKind kind, std::string_view text, std::string_view name) {
  const LimitSpec& spec = Spec(kind);
  if (EqualsNoCase(text, "none")) return int64_t{0};
  Result<int64_t> v = kind == LimitKind::kPids   ? ParseCount(spec, text, name)
                      : kind == LimitKind::kCpus ? ParseCpus(spec, text, name)
                                                 : ParseSize(spec, text, name);
  if (!v.ok()) return v;
  const bool size = kind == LimitKind::kMemory || kind == LimitKind::kTmp;
  if (v.value() < spec.min) {
    std::string detail = std::string(name) + ": ";
    if (v.value() == 0 && !size) {
      detail +=
          "0 would stop every run; expected " + std::string(spec.forms) + " (none lifts the limit)";
    } else if (size) {
      detail += FormatSize(v.value()) + " is below the floor of " + FormatLimit(kind, spec.min) +
                ", the smallest limit cordon accepts (none: no " + "limit)";
    } else {
      detail += "expected " + std::string(spec.forms) + " (got " + Quoted(text) + ")";
    }
    return PlainError("limit", "", detail);
  }
  if (v.value() > spec.max) {
    return PlainError("limit", "",
                      std::string(name) + ": " + Quoted(text) + " is above the ceiling of " +
                          FormatLimit(kind, spec.max) + "; use none for no limit");
  }
  return v;
}

std::string FormatLimit(LimitKind kind, int64_t value) {
  if (value == 0) return "none";
  switch (kind) {
    case LimitKind::kMemory:
    case LimitKind::kTmp:
      return FormatSize(value);
    case LimitKind::kPids:
      return std::to_string(value);
    case LimitKind::kCpus:
      break;
  }
  std::string cores = std::to_string(value / 1000);
  if (value % 1000 != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(value % 1000));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    cores += f;
  }
  return cores + (value == 1000 || value < 1000 ? " CPU" : " CPUs");
}

Limits DefaultLimits(int64_t mem_total_bytes) {
  Limits l;
  const std::string ram = FormatSize(mem_total_bytes);
  // Rounded down to whole MiB, so policy show prints a plain number.
  if (mem_total_bytes > 0) {
    l.memory_bytes = mem_total_bytes / 4 * 3 / kMiB * kMiB;
    l.memory_origin = Builtin("3/4 of this host's " + ram +
                              " of RAM: the host keeps a quarter for the agent, editor and "
                              "desktop");
    l.tmp_bytes = mem_total_bytes / 4 / kMiB * kMiB;
    l.tmp_origin = Builtin("1/4 of this host's " + ram +
                           " of RAM: one tmpfs holds /tmp and /dev/shm together");
  } else {
    l.memory_origin = Builtin("this host's RAM is unknown");
    l.tmp_origin = Builtin("this host's RAM is unknown");
  }
  l.pids = kDefaultPids;
  l.pids_origin = Builtin(
      "processes and threads: thousands of headroom for parallel builds, a fork loop stops "
      "there");
  l.cpu_millis = 0;
  l.cpus_origin =
      Builtin("no cap: the scheduler keeps the machine responsive, a cap would slow every build");
  return l;
}

}  // namespace cordon::policy
