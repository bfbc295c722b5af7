// Small, allocation-free helpers over libdw DIEs used by the encoder walk. Attributes are
// read from the DIE itself (no abstract_origin/specification chase) unless a helper says so:
// type DIEs carry their own attributes, and integration costs a second lookup per miss.
#pragma once

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdint>
#include <string_view>

namespace btfcheck::encode {

// Vendor annotation DIEs and attributes (not in this elfutils' dwarf.h).
constexpr int kTagLlvmAnnotation = 0x6000;   // clang: child DIE of the annotated DIE
constexpr int kTagGnuAnnotation = 0x6001;    // gcc >= 14: referenced DIE, chained
constexpr unsigned kAtGnuAnnotation = 0x2139;

inline const char* die_name(Dwarf_Die* d) {
  Dwarf_Attribute a;
  return dwarf_formstring(dwarf_attr(d, DW_AT_name, &a));
}

// die_name, and whether the name lives in .debug_str (any string form but DW_FORM_string):
// a name there is one pointer wherever it repeats, so it is interned by address
// (RawWriter::str_in_section) without reading its bytes.
inline const char* die_name(Dwarf_Die* d, bool* in_section) {
  Dwarf_Attribute a;
  *in_section = false;
  if (!dwarf_attr(d, DW_AT_name, &a)) return nullptr;
  *in_section = dwarf_whatform(&a) != DW_FORM_string;
  return dwarf_formstring(&a);
}

inline bool die_udata(Dwarf_Die* d, unsigned at, uint64_t* v) {
  Dwarf_Attribute a;
  return dwarf_attr(d, at, &a) && dwarf_formudata(&a, v) == 0;
}

inline bool die_flag(Dwarf_Die* d, unsigned at) {
  Dwarf_Attribute a;
  bool f = false;
  return dwarf_attr(d, at, &a) && dwarf_formflag(&a, &f) == 0 && f;
}

inline bool die_flag_integrate(Dwarf_Die* d, unsigned at) {
  Dwarf_Attribute a;
  bool f = false;
  return dwarf_attr_integrate(d, at, &a) && dwarf_formflag(&a, &f) == 0 && f;
}

// Visits the (kind, value) annotations of `d`: clang's DW_TAG_LLVM_annotation children and
// gcc's DW_AT_GNU_annotation chain. kind is "btf_decl_tag" or "btf_type_tag".
template <typename F>
void for_each_annotation(Dwarf_Die* d, F&& f) {
  Dwarf_Die c;
  if (dwarf_haschildren(d) && dwarf_child(d, &c) == 0) {
    do {
      if (dwarf_tag(&c) != kTagLlvmAnnotation) continue;
      const char* kind = die_name(&c);
      Dwarf_Attribute a;
      const char* value = dwarf_formstring(dwarf_attr(&c, DW_AT_const_value, &a));
      if (kind && value) f(std::string_view(kind), value);
    } while (dwarf_siblingof(&c, &c) == 0);
  }
  Dwarf_Attribute a;
  Dwarf_Die cur = *d;
  for (int guard = 0; guard < 64 && dwarf_attr(&cur, kAtGnuAnnotation, &a); ++guard) {
    Dwarf_Die ann;
    if (!dwarf_formref_die(&a, &ann) || dwarf_tag(&ann) != kTagGnuAnnotation) break;
    const char* kind = die_name(&ann);
    Dwarf_Attribute v;
    const char* value = dwarf_formstring(dwarf_attr(&ann, DW_AT_const_value, &v));
    if (kind && value) f(std::string_view(kind), value);
    cur = ann;
  }
}

// Where a subprogram's code starts: DW_AT_entry_pc, else DW_AT_low_pc, else the start of
// its first range (hot/cold split functions). False for DIEs without code.
inline bool die_entry_pc(Dwarf_Die* die, Dwarf_Addr* pc) {
  if (dwarf_entrypc(die, pc) == 0) return true;
  Dwarf_Addr base, start, end;
  if (dwarf_ranges(die, 0, &base, &start, &end) > 0) {
    *pc = start;
    return true;
  }
  return false;
}

// True when `d` has annotations worth a second look (cheap test first).
inline bool may_have_annotations(Dwarf_Die* d) {
  return dwarf_haschildren(d) || dwarf_hasattr(d, kAtGnuAnnotation);
}

}  // namespace btfcheck::encode
