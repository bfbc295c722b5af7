// Keys, signature text and value readings of the DWARF cross-check model (model.h).
#include "comparator/dwarfcheck/model.h"

#include <cstdio>

namespace btfcheck::dwarfcheck::detail {
namespace {

const char* kind_word(DefKind k) {
  switch (k) {
    case DefKind::Struct: return "struct ";
    case DefKind::Union: return "union ";
    case DefKind::Enum: return "enum ";
    case DefKind::Typedef: return "typedef ";
  }
  return "? ";
}

uint64_t zext(uint64_t bits, uint8_t width) {
  return width >= 64 ? bits : bits & ((uint64_t(1) << width) - 1);
}

uint64_t sext(uint64_t bits, uint8_t width) {
  if (width >= 64 || width == 0) return bits;
  const uint64_t v = zext(bits, width);
  const uint64_t sign = uint64_t(1) << (width - 1);
  return (v ^ sign) - sign;
}

}  // namespace

std::string def_key(DefKind kind, const std::string& name) { return kind_word(kind) + name; }

std::string sig_text(const FuncSig& s) {
  std::string out = "fn(" + s.ret + ";";
  for (size_t i = 0; i < s.params.size(); ++i) out += (i ? "," : "") + s.params[i];
  if (s.varargs) out += s.params.empty() ? "..." : ",...";
  return out + ")";
}

bool same_sig(const FuncSig& a, const FuncSig& b) {
  return a.ret == b.ret && a.params == b.params && a.varargs == b.varargs;
}

std::string value_text(const Value& v) {
  char buf[64];
  const uint64_t u = zext(v.bits, v.width);
  const int64_t s = static_cast<int64_t>(sext(v.bits, v.width));
  if (v.ambiguous && s < 0)
    std::snprintf(buf, sizeof buf, "%llu (or %lld)", static_cast<unsigned long long>(u),
                  static_cast<long long>(s));
  else if (!v.ambiguous && static_cast<int64_t>(v.bits) < 0 && v.width >= 64)
    std::snprintf(buf, sizeof buf, "%lld (0x%llx)", static_cast<long long>(v.bits),
                  static_cast<unsigned long long>(v.bits));
  else
    std::snprintf(buf, sizeof buf, "%llu (0x%llx)", static_cast<unsigned long long>(u),
                  static_cast<unsigned long long>(u));
  return buf;
}

bool values_agree(const Value& a, const Value& b) {
  auto readings = [](const Value& v, uint64_t out[2]) {
    if (!v.ambiguous) {
      out[0] = out[1] = v.bits;
    } else {
      out[0] = zext(v.bits, v.width);
      out[1] = sext(v.bits, v.width);
    }
  };
  uint64_t ra[2], rb[2];
  readings(a, ra);
  readings(b, rb);
  for (uint64_t x : ra)
    for (uint64_t y : rb)
      if (x == y) return true;
  return false;
}

}  // namespace btfcheck::dwarfcheck::detail
