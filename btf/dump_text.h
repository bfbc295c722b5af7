// Internal to the dump stage: the spellings bpftool uses for names, encodings and linkages,
// and a tiny append-only text buffer (std::to_chars, no iostreams, no printf per field), so a
// 95k-type vmlinux is formatted in one pass into one string.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "btf/btf.h"

namespace btfcheck::dump::text {

// bpftool's btf_str(): "(anon)" for offset 0, "(invalid)" when the offset is outside the
// string section (or, which libbpf would not even load, the string is unterminated).
inline std::string_view name(const btf::Btf& btf, uint32_t off) {
  if (off == 0) return "(anon)";
  auto s = btf.str(off);
  return s ? *s : std::string_view("(invalid)");
}

// bpftool's btf_kind_str[] with its "safe kind": 0 and anything unknown print "UNKNOWN".
inline std::string_view kind(uint32_t k) {
  if (k == 0 || !btf::kind_layout(k).known) return "UNKNOWN";
  return btf::kind_name(k);
}

inline std::string_view int_encoding(uint32_t enc) {
  switch (enc) {
    case 0: return "(none)";
    case 1: return "SIGNED";
    case 2: return "CHAR";
    case 4: return "BOOL";
    default: return "UNKN";
  }
}

inline std::string_view var_linkage(uint32_t l) {
  switch (l) {
    case 0: return "static";
    case 1: return "global";
    case 2: return "extern";
    default: return "(unknown)";
  }
}

// FUNC keeps its linkage in vlen.
inline std::string_view func_linkage(uint32_t vlen) { return var_linkage(vlen); }

inline std::string_view fwd_kind(bool kflag) { return kflag ? "union" : "struct"; }

inline std::string_view enum_encoding(bool kflag) { return kflag ? "SIGNED" : "UNSIGNED"; }

class Buf {
 public:
  explicit Buf(std::string& s) : s_(s) {}
  Buf& operator<<(std::string_view v) {
    s_.append(v);
    return *this;
  }
  Buf& operator<<(char c) {
    s_.push_back(c);
    return *this;
  }
  Buf& u(uint64_t v) { return num(v); }
  Buf& i(int64_t v) { return num(v); }
  std::string& str() { return s_; }

 private:
  template <typename T>
  Buf& num(T v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    s_.append(tmp, r.ptr);
    return *this;
  }
  std::string& s_;
};

}  // namespace btfcheck::dump::text
