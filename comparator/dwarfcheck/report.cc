// Rule table, policy text, ordering and reporters of the DWARF cross-check. Reporters are
// pure functions of the (sorted) report; text output escapes non-printable bytes that the
// input's names may hold, JSON output always parses (btf/json.h).
#include <algorithm>
#include <cstdio>
#include <tuple>

#include "btf/json.h"
#include "comparator/dwarfcheck/dwarfcheck.h"

namespace btfcheck::dwarfcheck {
namespace {

constexpr RuleInfo kRules[] = {
    {"dwarf.missing-type", "a DWARF struct/union/enum/typedef has no BTF type of that kind and name "
                           "(a definition with only a BTF FWD counts as missing)"},
    {"dwarf.size", "byte size of a struct, union or enum (or nested anonymous one) differs"},
    {"dwarf.member-count", "number of members differs (the first misplaced member is named)"},
    {"dwarf.member-name", "member at the same position has another name"},
    {"dwarf.member-offset", "member bit offset differs"},
    {"dwarf.bitfield-size", "bitfield size differs (kflag=1 member encoding or kflag=0 INT bits)"},
    {"dwarf.member-type", "member type shape differs (typedef/aggregate names, pointers, "
                          "modifiers, array sizes, function types)"},
    {"dwarf.enum-missing", "a DWARF enumerator (named, with its value) has no BTF enumerator of "
                           "that name (gcc 12 -gbtf drops 64-bit ones)"},
    {"dwarf.enum-extra", "a BTF enumerator (named, with its value) is not in the DWARF enum"},
    {"dwarf.enum-name", "enumerator at the same position has another name (neither name is on "
                        "the other side)"},
    {"dwarf.enum-value", "enumerator value differs, compared in full 64 bits (a 64-bit value "
                         "truncated into a 32-bit ENUM is caught here)"},
    {"dwarf.typedef-target", "typedef target shape differs"},
    {"dwarf.func-no-symbol", "a BTF FUNC has no defined ELF function symbol of that name"},
    {"dwarf.func-no-dwarf", "no DWARF subprogram of the FUNC's name starts at its symbol "
                            "address and the name has no other definition"},
    {"dwarf.func-no-address", "no DWARF subprogram of the FUNC's name starts at its symbol "
                              "address (gcc -fipa-icf folded it, an alias) and the name's other "
                              "definitions disagree with the FUNC or with each other"},
    {"dwarf.func-wrong-origin", "FUNC prototype is that of another same-named subprogram "
                                "(another CU's static function, an inline-only copy), not of "
                                "the code at the symbol's address"},
    {"dwarf.func-proto", "FUNC prototype differs from the subprogram at its address: return "
                         "type, parameter count, a parameter type, or varargs"},
};

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c != 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string entry_class(const EntryClass& c) {
  std::string s = "symbol" + std::string(c.offset < 0 ? "-" : "+") +
                  std::to_string(c.offset < 0 ? -c.offset : c.offset);
  if (c.samples == 0) return s + " (no name to learn from: the symbol itself)";
  return s + " (learned from " + std::to_string(c.agree) + " of " + std::to_string(c.samples) +
         " names)";
}

// Which entry offsets were used and how they were learned (entry_offset.cc).
std::string entry_text(const EntryOffsets& e) {
  std::string s = "function entries (" + printable(e.machine) + "): ";
  if (e.table.empty() || e.patchable.symbols == 0)
    return s + entry_class(e.other) +
           (e.table.empty() ? "; no ftrace table in the ELF"
                            : "; ftrace table " + printable(e.table) + " marks no function symbol");
  s += entry_class(e.patchable) + " for the " + std::to_string(e.patchable.symbols) +
       " ftrace-patchable function addresses";
  if (e.other.symbols)
    s += ", " + entry_class(e.other) + " for the " + std::to_string(e.other.symbols) + " others";
  return s + "; ftrace table " + printable(e.table) +
         (e.unattributed ? ", " + std::to_string(e.unattributed) + " sites near no function symbol"
                         : "");
}

std::string summary(const Report& r) {
  std::string s = std::to_string(r.units) + " units, " + std::to_string(r.dwarf_types) +
                  " DWARF types, " + std::to_string(r.funcs) + " FUNCs";
  if (r.funcs)
    s += ": " + std::to_string(r.funcs_at_entry) + " at their symbol's entry";
  if (r.funcs_by_definition)
    s += ", " + std::to_string(r.funcs_by_definition) +
         " matched by their name's one prototype: no subprogram of that name at the symbol's "
         "entry (identical-code folding, aliases)";
  if (!r.entry.machine.empty()) s += "; " + entry_text(r.entry);
  return s;
}

std::string class_json(const EntryClass& c) {
  return "{\"symbols\":" + std::to_string(c.symbols) + ",\"offset\":" + std::to_string(c.offset) +
         ",\"samples\":" + std::to_string(c.samples) + ",\"agree\":" + std::to_string(c.agree) + "}";
}

}  // namespace

std::span<const RuleInfo> rules() { return kRules; }

std::string rule_table() {
  std::string out;
  for (const RuleInfo& r : kRules) {
    std::string id(r.id);
    out += "  " + id + std::string(id.size() < 25 ? 25 - id.size() : 1, ' ') + std::string(r.summary) + "\n";
  }
  return out;
}

std::string policy_text() {
  return
      "  - Types are compared by shape: names of typedefs, structs, unions, enums and base\n"
      "    types; pointers; const/volatile/restrict in DWARF order; array element counts\n"
      "    (flexible and zero-length arrays are 0); function types with their parameters.\n"
      "    Multi-dimensional arrays compare by total element count (pahole writes T[2][3]\n"
      "    as one ARRAY of 6 T) unless --strict-arrays.\n"
      "  - Identical DWARF definitions in several units are checked once; same-named\n"
      "    different definitions each need SOME BTF type of that kind and name that agrees.\n"
      "  - Anonymous structs/unions/enums are checked through the member or typedef that\n"
      "    uses them (path 'struct foo.(anon union@64).x'); anonymous enums on their own are\n"
      "    found by their first enumerator; other anonymous top-level types are not checked.\n"
      "  - DWARF declarations (DW_AT_declaration) need a BTF FWD or definition.\n"
      "  - Not expressible in BTF, hence transparent: DW_TAG_atomic_type, immutable, packed\n"
      "    and shared modifiers; BTF TYPE_TAGs are transparent too (DWARF keeps annotations\n"
      "    as children). C++ static members and inheritance are not checked.\n"
      "  - Base types match by name, so FLOAT vs INT (producers without FLOAT) is not a\n"
      "    finding; sizes are checked through the containing aggregates.\n"
      "  - Enumerator values: DWARF sdata/udata/data8 values are exact; data1-data4 values\n"
      "    are exact for an unsigned underlying type, otherwise (gcc writes 128 of a signed\n"
      "    enum as data1 0x80) both the sign- and the zero-extension are accepted, as for\n"
      "    BTF ENUMs without kind_flag. 64-bit values are always compared in full.\n"
      "  - FUNCs: the symbol of the FUNC's name (a static function may have several), the\n"
      "    subprogram whose entry_pc/low_pc/first range is at the symbol's entry; parameters\n"
      "    come from its most abstract origin. The entry is the symbol plus an offset per\n"
      "    kind of function: ftrace-patchable ones (a patch site of the ELF's ftrace table,\n"
      "    __start_mcount_loc..__stop_mcount_loc or __patchable_function_entries, in their\n"
      "    first bytes) and the others, each offset the most common entry - symbol among\n"
      "    names with one symbol and one subprogram with code (arm64 gcc: +8 after the two\n"
      "    ftrace NOPs; x86-64: 0). The summary says which offsets were used.\n"
      "    No subprogram of the name at the entry (gcc -fipa-icf thunks and aliases, alias\n"
      "    attributes): the name's other definitions, when they agree on one prototype, are\n"
      "    used. Parameter names are not compared. DWARF functions absent\n"
      "    from BTF are not findings (producers skip functions on purpose). Subprograms of\n"
      "    assembler units (DW_LANG_Mips_Assembler) carry no prototype: not compared.\n";
}

void sort_findings(std::vector<Finding>& f) {
  auto key = [](const Finding& x) {
    return std::tie(x.path, x.rule, x.type_id, x.die, x.expected, x.found, x.cu, x.message);
  };
  std::sort(f.begin(), f.end(), [&](const Finding& a, const Finding& b) { return key(a) < key(b); });
}

std::string format_text(const Report& r, std::string_view btf_file, std::string_view elf_file) {
  const std::string file(btf_file);
  std::string out;
  for (const Finding& f : r.findings) {
    std::string line = file + ": ";
    if (f.type_id) line += "type [" + std::to_string(f.type_id) + "] " + f.kind + ": ";
    line += printable(f.path) + ": " + printable(f.message) + ": expected " + printable(f.expected) +
            ", found " + printable(f.found);
    if (!f.cu.empty() || f.die) {
      line += " (";
      if (!f.cu.empty()) line += "CU '" + printable(f.cu) + "'";
      if (f.die) line += std::string(f.cu.empty() ? "" : " ") + "DIE " + hex(*f.die);
      line += ")";
    }
    out += line + " [" + f.rule + "]\n";
  }
  out += file + ": ";
  if (r.clean())
    out += "OK against DWARF of " + std::string(elf_file) + " (" + summary(r) + ")\n";
  else
    out += std::to_string(r.findings.size()) + " finding(s) against DWARF of " +
           std::string(elf_file) + " (" + summary(r) + ")\n";
  return out;
}

std::string format_json(const Report& r, std::string_view btf_file, std::string_view elf_file) {
  std::string out = "{\"file\":" + json_quote(btf_file) + ",\"dwarf\":" + json_quote(elf_file) +
                    ",\"units\":" + std::to_string(r.units) +
                    ",\"dwarf_types\":" + std::to_string(r.dwarf_types) +
                    ",\"funcs\":" + std::to_string(r.funcs) +
                    ",\"funcs_at_entry\":" + std::to_string(r.funcs_at_entry) +
                    ",\"funcs_by_definition\":" + std::to_string(r.funcs_by_definition) +
                    ",\"entry\":{\"machine\":" + json_quote(r.entry.machine) +
                    ",\"table\":" + json_quote(r.entry.table) +
                    ",\"sites\":" + std::to_string(r.entry.sites) +
                    ",\"unattributed\":" + std::to_string(r.entry.unattributed) +
                    ",\"patchable\":" + class_json(r.entry.patchable) +
                    ",\"other\":" + class_json(r.entry.other) + "}" +
                    ",\"valid\":" + (r.clean() ? "true" : "false") + ",\"findings\":[";
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding& f = r.findings[i];
    out += i ? ",\n  " : "\n  ";
    out += "{\"rule\":" + json_quote(f.rule) + ",\"type_id\":" + std::to_string(f.type_id) +
           ",\"kind\":" + json_quote(f.kind) + ",\"path\":" + json_quote(f.path) +
           ",\"cu\":" + json_quote(f.cu) +
           ",\"die\":" + (f.die ? std::to_string(*f.die) : std::string("null")) +
           ",\"expected\":" + json_quote(f.expected) + ",\"found\":" + json_quote(f.found) +
           ",\"message\":" + json_quote(f.message) + "}";
  }
  out += r.findings.empty() ? "]}" : "\n]}";
  return out;
}

}  // namespace btfcheck::dwarfcheck
