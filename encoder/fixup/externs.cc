// .kconfig and .ksyms externs: libbpf's bpf_object__collect_externs() and
// add_dummy_ksym_var() (step 1 of the design comment in fixup.cc).
#include <elf.h>

#include <algorithm>

#include "btf/size.h"
#include "encoder/fixup/fixer.h"

namespace btfcheck::fixup::detail {

uint32_t Fixer::find_datasec(std::string_view name) const {
  for (uint32_t id = 1; id < b_.type_count(); ++id)
    if (b_.kind(id) == uint32_t(Kind::Datasec) && b_.name(id) == name) return id;
  return 0;
}

uint32_t Fixer::find_int32() const {
  for (uint32_t id = 1; id < b_.type_count(); ++id)
    if (b_.kind(id) == uint32_t(Kind::Int) && (b_.rec(id)[3] & 0xff) == 32) return id;
  return 0;
}

// find_extern_btf_id() + find_extern_sec_btf_id().
std::optional<Error> Fixer::find_extern_btf(const ElfSymbol& sym, Extern& ext) const {
  for (uint32_t id = 1; id < b_.type_count(); ++id) {
    const uint32_t k = b_.kind(id);
    if (k != uint32_t(Kind::Var) && k != uint32_t(Kind::Func)) continue;
    if (b_.name(id) != sym.name) continue;
    const uint32_t linkage = k == uint32_t(Kind::Var) ? b_.rec(id)[3] : b_.vlen(id);
    if (linkage != kLinkExtern)
      return error("fixup.extern-linkage",
                   "failed to find BTF for extern " + quote(sym.name) + ": " + describe(id) +
                       " has linkage " + linkage_name(linkage) +
                       ", not extern (libbpf: -EINVAL)", ".BTF", id);
    ext.btf_id = id;
    break;
  }
  if (!ext.btf_id)
    return error("fixup.extern-btf", "failed to find BTF for extern " + quote(sym.name) +
                 " (ELF symbol #" + std::to_string(sym.index) + "; libbpf: -ENOENT)");
  for (uint32_t id = 1; id < b_.type_count() && !ext.sec_id; ++id) {
    if (b_.kind(id) != uint32_t(Kind::Datasec)) continue;
    auto r = b_.rec(id);
    for (uint32_t i = 0; i < b_.vlen(id); ++i)
      if (r[3 + 3 * i] == ext.btf_id) {
        ext.sec_id = id;
        break;
      }
  }
  if (!ext.sec_id)
    return error("fixup.extern-section",
                 "failed to find BTF for extern " + quote(sym.name) + " [" +
                     std::to_string(ext.btf_id) + "] section: no DATASEC lists it "
                     "(extern functions must be __ksym; others need static linking)",
                 ".BTF", ext.btf_id);
  ext.name = std::string(b_.name(ext.btf_id));
  return std::nullopt;
}

// find_kcfg_type() of libbpf: is this a type libbpf can fill from the kernel config?
static bool kcfg_type_ok(const BtfEdit& b, uint32_t id, bool want_char = false) {
  const uint32_t t = skip_mods_and_typedefs(b, id);
  if (!b.valid(t)) return false;
  auto r = b.rec(t);
  switch (Kind(b.kind(t))) {
    case Kind::Int: {
      const uint32_t enc = (r[3] >> 24) & 0x0f, size = r[2];
      if (enc & 4) return !want_char && size == 1;                 // BTF_INT_BOOL
      if (size == 1) return true;                                  // KCFG_CHAR
      if (want_char) return false;
      return size >= 1 && size <= 8 && (size & (size - 1)) == 0;   // KCFG_INT
    }
    case Kind::Enum:
      return !want_char && r[2] == 4 && b.name(t) == "libbpf_tristate";
    case Kind::Array:
      return !want_char && r[5] != 0 && kcfg_type_ok(b, r[3], true);
    default:
      return false;
  }
}

std::optional<Error> Fixer::fill_kcfg(Extern& ext) const {
  const uint32_t id = ext.btf_id;
  if (b_.kind(id) == uint32_t(Kind::Func))
    return error("fixup.kconfig-func", "extern function " + quote(ext.name) +
                 " is unsupported under .kconfig section", kKconfig, id);
  const uint32_t type = b_.rec(id)[2];
  auto size = btf::resolve_size(b_.records(), type);
  if (!size || *size == 0)
    return error("fixup.kconfig-type", "failed to resolve size of extern (kcfg) " +
                 quote(ext.name), kKconfig, id);
  auto align = align_of(b_, type);
  if (!align || *align == 0)
    return error("fixup.kconfig-type", "failed to determine alignment of extern (kcfg) " +
                 quote(ext.name), kKconfig, id);
  if (!kcfg_type_ok(b_, type))
    return error("fixup.kconfig-type", "extern (kcfg) " + quote(ext.name) +
                 " type is unsupported", kKconfig, id);
  ext.size = *size;
  ext.align = *align;
  return std::nullopt;
}

std::optional<Error> Fixer::collect_externs() {
  // a. add_dummy_ksym_var()
  uint32_t dummy = 0;
  if (uint32_t ksyms = find_datasec(kKsyms)) {
    auto r = b_.rec(ksyms);
    bool has_func = false;
    for (uint32_t i = 0; i < b_.vlen(ksyms) && !has_func; ++i)
      has_func = b_.kind(r[3 + 3 * i]) == uint32_t(Kind::Func);
    if (has_func) {
      const uint32_t int_id = find_int32();
      dummy = b_.add_var(kDummy, kLinkGlobal, int_id);
      act("VAR " + quote(kDummy) + " [" + std::to_string(dummy) + "]: added, linkage global, "
          "type [" + std::to_string(int_id) + "] (add_dummy_ksym_var: .ksyms has functions)");
      if (!int_id)
        note("no 32-bit INT in the BTF: VAR 'dummy_ksym' gets type 0, which the kernel "
             "rejects (libbpf 1.1 does the same)");
    }
  }

  // b. extern symbols, in .symtab order. ksym_sec / kcfg_sec: the DATASEC of the last
  // extern of each kind, as in libbpf.
  uint32_t ksym_sec = 0, kcfg_sec = 0;
  const bool bpf_object = elf_.machine == EM_BPF || elf_.machine == EM_NONE;
  for (const ElfSymbol& sym : elf_.symbols) {
    if (sym.shndx != SHN_UNDEF || (sym.bind != STB_GLOBAL && sym.bind != STB_WEAK) ||
        sym.type != STT_NOTYPE || sym.name.empty())
      continue;
    Extern ext;
    ext.weak = sym.bind == STB_WEAK;
    if (auto err = find_extern_btf(sym, ext)) {
      if (!bpf_object && err->rule == "fixup.extern-btf") {
        note("extern symbol " + quote(sym.name) + " has no BTF; skipped (toolchain symbol "
             "of a non-BPF object; libbpf would fail with -ENOENT)");
        continue;
      }
      return err;
    }
    const std::string_view sec_name = b_.name(ext.sec_id);
    if (sec_name == kKconfig) {
      ext.type = Extern::Kcfg;
      if (auto err = fill_kcfg(ext)) return err;
      kcfg_sec = ext.sec_id;
    } else if (sec_name == kKsyms) {
      if (b_.kind(ext.btf_id) == uint32_t(Kind::Func) && ext.weak)
        return error("fixup.ksym-weak-func", "extern weak function " + quote(ext.name) +
                     " is unsupported", kKsyms, ext.btf_id);
      ext.type = Extern::Ksym;
      ksym_sec = ext.sec_id;
    } else {
      return error("fixup.extern-section", "unrecognized extern section " +
                   quote(sec_name) + " for extern " + quote(ext.name),
                   std::string(sec_name), ext.btf_id);
    }
    externs_.push_back(std::move(ext));
  }
  if (externs_.empty()) return std::nullopt;

  // c. cmp_externs()
  std::stable_sort(externs_.begin(), externs_.end(), [](const Extern& a, const Extern& b) {
    if (a.type != b.type) return a.type < b.type;
    if (a.type == Extern::Kcfg) {
      if (a.align != b.align) return a.align > b.align;
      if (a.size != b.size) return a.size < b.size;
    }
    return a.name < b.name;
  });

  // d, e.
  if (ksym_sec)
    if (auto err = fixup_ksyms(ksym_sec, dummy)) return err;
  if (kcfg_sec)
    if (auto err = fixup_kconfig(kcfg_sec)) return err;
  return std::nullopt;
}

std::optional<Error> Fixer::fixup_ksyms(uint32_t sec, uint32_t dummy) {
  const uint32_t int_id = find_int32();
  const uint32_t n = b_.vlen(sec);
  const std::string sec_name(b_.name(sec));
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t vt = b_.rec(sec)[3 + 3 * i];
    if (!b_.valid(vt))
      return error("fixup.btf-ref", "entry refers to type [" + std::to_string(vt) +
                   "], which does not exist", sec_name, sec, i);
    const std::string name(b_.name(vt));
    if (!find_extern(name))
      return error("fixup.extern-missing", "failed to find extern definition for BTF " +
                   describe(vt) + " (no extern ELF symbol of that name)", sec_name, sec, i);
    const std::string entry = "DATASEC " + quote(sec_name) + " [" + std::to_string(sec) +
                              "] entry #" + std::to_string(i);
    if (b_.kind(vt) == uint32_t(Kind::Func)) {
      const uint32_t proto = b_.rec(vt)[2];
      if (b_.kind(proto) != uint32_t(Kind::FuncProto))
        return error("fixup.btf-ref", describe(vt) + " does not point to a FUNC_PROTO",
                     sec_name, vt);
      // dummy is 0 only when the first ".ksyms" DATASEC had no FUNC but this one (a second
      // DATASEC of that name) has: libbpf then uses type 0 and name offset 0.
      const uint32_t dummy_name = b_.valid(dummy) ? b_.rec(dummy)[0] : 0;
      for (uint32_t j = 0; j < b_.vlen(proto); ++j) {
        auto p = b_.rec(proto);
        if (p[4 + 2 * j] && !p[3 + 2 * j]) {
          set_word(proto, 3 + 2 * j, dummy_name);
          act("FUNC_PROTO [" + std::to_string(proto) + "] param #" + std::to_string(j) +
              ": unnamed -> " + quote(kDummy) + " (.ksyms function " + quote(name) + ")");
        }
      }
      const uint32_t info = b_.rec(vt)[1];
      const uint32_t new_info = (info & ~0xffffu) | kLinkGlobal;
      if (new_info != info) {
        set_word(vt, 1, new_info);
        act(describe(vt) + ": linkage " + linkage_name(btf::info_vlen(info)) +
            " -> global (.ksyms extern function)");
      }
      set_word(sec, 3 + 3 * i, dummy);
      act(entry + ": type [" + std::to_string(vt) + "] -> [" + std::to_string(dummy) +
          "] (" + quote(kDummy) + " stands in for function " + quote(name) + ")");
    } else if (b_.kind(vt) == uint32_t(Kind::Var)) {
      auto r = b_.rec(vt);
      if (r[3] != kLinkGlobal)
        act(describe(vt) + ": linkage " + linkage_name(r[3]) + " -> global (.ksyms extern)");
      if (r[2] != int_id)
        act(describe(vt) + ": type [" + std::to_string(r[2]) + "] -> [" +
            std::to_string(int_id) + "] (.ksyms externs become 4-byte ints)");
      set_word(vt, 3, kLinkGlobal);
      set_word(vt, 2, int_id);
    } else {
      return error("fixup.btf-ref", describe(vt) + " in .ksyms is neither VAR nor FUNC",
                   sec_name, sec, i);
    }
    auto r = b_.rec(sec);
    std::string change;
    if (r[4 + 3 * i] != 4 * i)
      change = "offset " + std::to_string(r[4 + 3 * i]) + " -> " + std::to_string(4 * i);
    if (r[5 + 3 * i] != 4)
      change += (change.empty() ? "" : ", ") + std::string("size ") +
                std::to_string(r[5 + 3 * i]) + " -> 4";
    if (!change.empty()) act(entry + ": " + change);
    set_word(sec, 4 + 3 * i, 4 * i);
    set_word(sec, 5 + 3 * i, 4);
  }
  if (b_.rec(sec)[2] != 4 * n)
    act("DATASEC " + quote(sec_name) + " [" + std::to_string(sec) + "]: size " +
        std::to_string(b_.rec(sec)[2]) + " -> " + std::to_string(4 * n) +
        " (4 bytes per .ksyms extern)");
  set_word(sec, 2, 4 * n);
  return std::nullopt;
}

std::optional<Error> Fixer::fixup_kconfig(uint32_t sec) {
  uint64_t off = 0;
  for (Extern& e : externs_) {
    if (e.type != Extern::Kcfg) continue;
    e.data_off = (off + e.align - 1) / e.align * e.align;
    off = e.data_off + e.size;
  }
  const std::string sec_name(b_.name(sec));
  if (b_.rec(sec)[2] != uint32_t(off))
    act("DATASEC " + quote(sec_name) + " [" + std::to_string(sec) + "]: size " +
        std::to_string(b_.rec(sec)[2]) + " -> " + std::to_string(uint32_t(off)) +
        " (.kconfig layout: alignment desc, size asc, name)");
  set_word(sec, 2, uint32_t(off));
  for (uint32_t i = 0; i < b_.vlen(sec); ++i) {
    const uint32_t t = b_.rec(sec)[3 + 3 * i];
    if (!b_.valid(t))
      return error("fixup.btf-ref", "entry refers to type [" + std::to_string(t) +
                   "], which does not exist", sec_name, sec, i);
    const Extern* e = find_extern(b_.name(t));
    if (!e)
      return error("fixup.extern-missing", "failed to find extern definition for BTF " +
                   describe(t) + " (no extern ELF symbol of that name)", sec_name, sec, i);
    if (b_.kind(t) != uint32_t(Kind::Var))
      return error("fixup.btf-ref", describe(t) + " in .kconfig is not a VAR", sec_name, sec, i);
    if (b_.rec(t)[3] != kLinkGlobal)
      act(describe(t) + ": linkage " + linkage_name(b_.rec(t)[3]) + " -> global (.kconfig extern)");
    set_word(t, 3, kLinkGlobal);
    const uint32_t old = b_.rec(sec)[4 + 3 * i];
    if (old != uint32_t(e->data_off))
      act("DATASEC " + quote(sec_name) + " [" + std::to_string(sec) + "] entry #" +
          std::to_string(i) + " " + describe(t) + ": offset " + std::to_string(old) + " -> " +
          std::to_string(uint32_t(e->data_off)));
    set_word(sec, 4 + 3 * i, uint32_t(e->data_off));
  }
  return std::nullopt;
}

}  // namespace btfcheck::fixup::detail
