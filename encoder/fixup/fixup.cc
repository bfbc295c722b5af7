// libbpf 1.1 load-time BTF fixups, step by step.
//
// Design. libbpf patches an object's BTF in three places before BPF_BTF_LOAD; we run the
// same steps, in the same order, on a mutable copy (BtfEdit) of the .BTF bytes, with the
// ELF facts (sections, .symtab) read once through libelf (ElfFacts):
//
// 1. bpf_object__collect_externs() (at open):
//    a. add_dummy_ksym_var(): when the first DATASEC named ".ksyms" has a FUNC entry,
//       append VAR "dummy_ksym" (linkage GLOBAL_ALLOCATED, type = first INT with 32 bits,
//       find_int_btf_id(); 0 when there is none) and its string.
//    b. every extern ELF symbol (SHN_UNDEF, GLOBAL/WEAK, NOTYPE, named), in .symtab order:
//       find_extern_btf_id() — first VAR/FUNC of that name, which must have EXTERN linkage;
//       find_extern_sec_btf_id() — first DATASEC listing it, which must be ".kconfig"
//       (VARs only; size btf__resolve_size, alignment btf__align_of, a supported kcfg type:
//       bool/char/int of 1,2,4,8 bytes, enum libbpf_tristate, char array) or ".ksyms" (no
//       weak FUNC). Anything else is an error, as it is for libbpf.
//    c. externs sorted by (kind: kconfig < ksym; kconfig: alignment desc, size asc; name).
//    d. .ksyms DATASEC: entry i gets offset 4*i and size 4, section size 4*n; FUNC entries
//       point to dummy_ksym, the FUNC gets GLOBAL linkage and its prototype's unnamed
//       parameters get dummy_ksym's name; VAR entries get GLOBAL_ALLOCATED linkage and the
//       32-bit INT type.
//    e. .kconfig DATASEC: offsets laid out in sorted extern order (each rounded up to its
//       alignment), section size = end of the last; VARs get GLOBAL_ALLOCATED linkage.
// 2. bpf_object_fixup_btf() -> btf_fixup_datasec() (at open), every DATASEC in id order:
//    .kconfig/.ksyms only sorted; otherwise when size is 0 it becomes the ELF section's
//    size (error when there is no such section or it is empty) and offsets are fixed up;
//    each non-STATIC, non-EXTERN VAR is matched to the first GLOBAL/WEAK STT_OBJECT symbol
//    of its name (find_elf_var_sym; error when none): offset = st_value (only when the size
//    was fixed up), STV_HIDDEN/STV_INTERNAL -> STATIC linkage. Entries are then sorted by
//    offset (glibc's qsort is a stable merge sort; we use std::stable_sort). Static VARs
//    keep the offsets the compiler wrote (clang writes them through the section-relative
//    relocation addend; gcc writes 0, which libbpf does not correct).
// 3. bpf_object__sanitize_and_load_btf() (at load): a hidden (STV_HIDDEN/INTERNAL) global
//    STT_FUNC symbol in .text is a subprogram (prog_is_subprog: in .text and more than one
//    program in the object); the first GLOBAL FUNC of its name becomes STATIC.
//    bpf_object__sanitize_btf() changes nothing on a kernel that supports every kind.
//
// What libbpf checks beyond BTF is not repeated (e_machine, byte order, license, program
// layout): an x86 `gcc -gbtf` object, which libbpf refuses to open, is fixed up as if it
// were a BPF object, with a note; extern symbols that have no BTF at all there (such as
// _GLOBAL_OFFSET_TABLE_) are skipped with a note instead of failing. Where libbpf would
// dereference a bad type id, we stop with a "fixup.btf-ref" error instead.
#include "encoder/fixup/fixup.h"

#include <elf.h>

#include <algorithm>

#include "encoder/fixup/fixer.h"

namespace btfcheck::fixup {
namespace detail {

void Fixer::sort_entries(uint32_t sec) {
  struct Entry { uint32_t type, offset, size; };
  auto r = b_.rec(sec);
  const uint32_t n = b_.vlen(sec);
  std::vector<Entry> es(n);
  for (uint32_t i = 0; i < n; ++i) es[i] = {r[3 + 3 * i], r[4 + 3 * i], r[5 + 3 * i]};
  std::vector<Entry> sorted = es;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Entry& a, const Entry& b) { return a.offset < b.offset; });
  bool moved = false;
  std::string order;
  for (uint32_t i = 0; i < n; ++i) {
    moved |= sorted[i].type != es[i].type || sorted[i].offset != es[i].offset;
    order += (i ? ", " : "") + quote(b_.name(sorted[i].type));
    r[3 + 3 * i] = sorted[i].type;
    r[4 + 3 * i] = sorted[i].offset;
    r[5 + 3 * i] = sorted[i].size;
  }
  if (moved)
    act("DATASEC " + quote(b_.name(sec)) + " [" + std::to_string(sec) +
        "]: entries sorted by offset: " + order);
}

// btf_fixup_datasec()
std::optional<Error> Fixer::fixup_datasec(uint32_t sec) {
  auto sec_name_opt = b_.str(b_.rec(sec)[0]);
  if (!sec_name_opt)
    return error("fixup.datasec-name", "DATASEC has no name in the string section", ".BTF", sec);
  const std::string sec_name(*sec_name_opt);
  const std::string where = "DATASEC " + quote(sec_name) + " [" + std::to_string(sec) + "]";
  if (sec_name == kKconfig || sec_name == kKsyms) {
    sort_entries(sec);
    return std::nullopt;
  }
  bool fix_offsets = false;
  if (b_.rec(sec)[2] == 0) {
    const ElfSection* s = elf_.section(sec_name);
    if (!s || s->size == 0)
      return error("fixup.datasec-size", "sec " + quote(sec_name) +
                   ": failed to determine size from ELF: " +
                   (s ? "the ELF section is empty" : "no ELF section of that name"),
                   sec_name, sec);
    if (s->size > UINT32_MAX)
      return error("fixup.datasec-size", "sec " + quote(sec_name) + ": ELF section size " +
                   std::to_string(s->size) + " does not fit in 32 bits", sec_name, sec);
    set_word(sec, 2, uint32_t(s->size));
    act(where + ": size 0 -> " + std::to_string(s->size) + " (ELF section size)");
    fix_offsets = true;
  }
  for (uint32_t i = 0; i < b_.vlen(sec); ++i) {
    const uint32_t vt = b_.rec(sec)[3 + 3 * i];
    if (b_.kind(vt) != uint32_t(Kind::Var))
      return error("fixup.datasec-entry", "sec " + quote(sec_name) +
                   ": unexpected non-VAR type [" + std::to_string(vt) + "] found",
                   sec_name, sec, i);
    const uint32_t linkage = b_.rec(vt)[3];
    if (linkage == kLinkStatic || linkage == kLinkExtern) continue;
    auto var_name = b_.str(b_.rec(vt)[0]);
    if (!var_name)
      return error("fixup.datasec-entry", "sec " + quote(sec_name) +
                   ": failed to find name of DATASEC's member #" + std::to_string(i),
                   sec_name, vt, i);
    // find_elf_var_sym(): first GLOBAL/WEAK STT_OBJECT symbol of that name; libbpf fails
    // on an unreadable candidate name met before the match.
    const ElfSymbol* sym = nullptr;
    if (auto it = var_syms_.find(*var_name); it != var_syms_.end()) sym = it->second;
    if (first_bad_var_sym_ && (!sym || *first_bad_var_sym_ < sym->index))
      return error("fixup.elf-symbol", "failed to get sym name string for var " +
                   quote(*var_name), ".symtab", vt);
    if (!sym)
      return error("fixup.var-symbol", "sec " + quote(sec_name) +
                   ": failed to find ELF symbol for VAR " + quote(*var_name) +
                   " (no GLOBAL/WEAK OBJECT symbol of that name)", sec_name, vt, i);
    const uint32_t old = b_.rec(sec)[4 + 3 * i];
    if (fix_offsets && old != uint32_t(sym->value)) {
      set_word(sec, 4 + 3 * i, uint32_t(sym->value));
      act(where + " entry #" + std::to_string(i) + " " + describe(vt) + ": offset " +
          std::to_string(old) + " -> " + std::to_string(uint32_t(sym->value)) +
          " (ELF symbol value)");
    }
    if (sym->visibility == STV_HIDDEN || sym->visibility == STV_INTERNAL) {
      set_word(vt, 3, kLinkStatic);
      act(describe(vt) + ": linkage " + linkage_name(linkage) + " -> static (ELF symbol " +
          (sym->visibility == STV_HIDDEN ? "hidden" : "internal") + ")");
    }
  }
  sort_entries(sec);
  return std::nullopt;
}

std::optional<Error> Fixer::fixup_datasecs() {
  for (const ElfSymbol& s : elf_.symbols) {
    if (s.type != STT_OBJECT || (s.bind != STB_GLOBAL && s.bind != STB_WEAK)) continue;
    if (!s.name_ok) {
      if (!first_bad_var_sym_) first_bad_var_sym_ = s.index;
      continue;
    }
    var_syms_.emplace(s.name, &s);   // keeps the first symbol of each name
  }
  for (uint32_t id = 1; id < b_.type_count(); ++id)
    if (b_.kind(id) == uint32_t(Kind::Datasec))
      if (auto err = fixup_datasec(id)) return err;
  return std::nullopt;
}

// The mark_btf_static loop of bpf_object__sanitize_and_load_btf().
void Fixer::mark_hidden_subprogs_static() {
  // Sections bpf_object__elf_collect() hands to bpf_object__add_programs().
  auto is_prog_sec = [](const ElfSection& s) {
    return s.type == SHT_PROGBITS && (s.flags & SHF_EXECINSTR) && s.size > 0 &&
           s.name.rfind(".debug", 0) != 0;
  };
  uint32_t text = 0;
  std::vector<uint32_t> prog_secs;
  for (const ElfSection& s : elf_.sections) {
    if (!is_prog_sec(s)) continue;
    prog_secs.push_back(s.index);
    if (s.name == ".text") text = s.index;
  }
  struct Prog { uint32_t sec; uint64_t off; const ElfSymbol* sym; };
  std::vector<Prog> progs;
  for (const ElfSymbol& s : elf_.symbols)
    if (s.type == STT_FUNC &&
        std::find(prog_secs.begin(), prog_secs.end(), s.shndx) != prog_secs.end())
      progs.push_back({s.shndx, s.value, &s});
  std::stable_sort(progs.begin(), progs.end(), [](const Prog& a, const Prog& b) {
    return a.sec != b.sec ? a.sec < b.sec : a.off < b.off;
  });
  for (const Prog& p : progs) {
    const ElfSymbol& s = *p.sym;
    const bool hidden = s.bind != STB_LOCAL &&
                        (s.visibility == STV_HIDDEN || s.visibility == STV_INTERNAL);
    if (!hidden || p.sec != text || progs.size() <= 1) continue;
    for (uint32_t id = 1; id < b_.type_count(); ++id) {
      if (b_.kind(id) != uint32_t(Kind::Func) || b_.vlen(id) != kLinkGlobal) continue;
      if (b_.name(id) != s.name) continue;
      set_word(id, 1, btf::make_info(uint32_t(Kind::Func), kLinkStatic, false));
      act(describe(id) + ": linkage global -> static (hidden subprogram, at load)");
      break;
    }
  }
}

}  // namespace detail

Result<std::vector<uint8_t>> apply_libbpf(const std::string& elf_path,
                                          std::span<const uint8_t> btf_bytes,
                                          Report* report) {
  return apply_libbpf(elf_path, btf_bytes, Options{}, report);
}

Result<std::vector<uint8_t>> apply_libbpf(const std::string& elf_path,
                                          std::span<const uint8_t> btf_bytes,
                                          const Options& options, Report* report) {
  auto elf = read_elf_facts(elf_path);
  if (!elf) return elf.error();
  if (!elf->has_symtab) {
    Error e;
    e.rule = "fixup.no-symtab";
    e.file = elf_path;
    e.section = ".symtab";
    e.message = "ELF object has no symbol table; libbpf cannot open it "
                "(elf: symbol strings section missing or invalid)";
    return e;
  }
  auto edit = BtfEdit::parse(btf_bytes, elf_path, ".BTF");
  if (!edit) return edit.error();
  if (report && elf->machine != EM_BPF && elf->machine != EM_NONE)
    report->notes.push_back("ELF machine " + std::to_string(elf->machine) +
                            " is not BPF: libbpf 1.1 refuses to open this object; its BTF "
                            "is fixed up as libbpf would fix a BPF object's");
  if (report && elf->big_endian != (btf::host_endian() == btf::Endian::Big))
    report->notes.push_back("object byte order differs from the host's: libbpf 1.1 refuses "
                            "to open it; output BTF keeps the object's byte order");

  detail::Fixer fixer(*elf, *edit, report);
  if (auto err = fixer.collect_externs()) return *err;
  if (auto err = fixer.fixup_datasecs()) return *err;
  if (options.stage == Stage::Load) fixer.mark_hidden_subprogs_static();
  return edit->serialize();
}

}  // namespace btfcheck::fixup
