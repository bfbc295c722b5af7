// The kfuncs of an ELF's .BTF_ids section (decl_tag_kfuncs), as the kernel's btf_ids.h lays
// them out and pahole master reads them:
//  - a kfunc set is a symbol `__BTF_ID__set8__NAME` in .BTF_ids whose set header
//    (u32 cnt; u32 flags) has BTF_SET8_KFUNCS (bit 0) in its flags; it spans
//    [st_value, st_value + st_size);
//  - each member is a symbol `__BTF_ID__func__FUNC__N` (N: the counter and line the macro
//    pasted, after the last "__") at a pair (u32 id; u32 flags) inside such a span;
//  - a FUNC of that name gets DECL_TAG "bpf_kfunc", and "bpf_fastcall" when its flags
//    have KF_FASTCALL (1 << 12).
// Words are read in the ELF's byte order. A later symbol of the same function overwrites
// an earlier one's flags (pahole does the same). No .BTF_ids or no .symtab: no kfuncs.
#include <gelf.h>

#include <algorithm>
#include <cstring>

#include "btf/bytes.h"
#include "encoder/dwarf/elf_syms.h"

namespace btfcheck::encode {
namespace {

constexpr std::string_view kSetPrefix = "__BTF_ID__set8__";
constexpr std::string_view kFuncPrefix = "__BTF_ID__func__";
constexpr uint32_t kSet8Kfuncs = 1u << 0;

// FUNC out of "FUNC__N": cut at the last '_', which must follow another '_'.
std::string_view member_name(std::string_view rest) {
  const size_t last = rest.rfind('_');
  if (last == std::string_view::npos || last == 0 || rest[last - 1] != '_') return {};
  return rest.substr(0, last - 1);
}

}  // namespace

const Kfunc* ElfSymbols::find_kfunc(std::string_view name) const {
  auto it = std::lower_bound(kfuncs.begin(), kfuncs.end(), name,
                             [](const Kfunc& k, std::string_view n) { return k.name < n; });
  return it != kfuncs.end() && it->name == name ? &*it : nullptr;
}

void read_kfuncs(Elf* elf, ElfSymbols& syms) {
  syms.kfuncs.clear();
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return;
  Elf_Scn* ids = nullptr;
  Elf_Scn* symtab = nullptr;
  GElf_Shdr ids_sh{}, sym_sh{};
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
    if (name && std::strcmp(name, ".BTF_ids") == 0 && sh.sh_type != SHT_NOBITS) {
      ids = scn;
      ids_sh = sh;
    }
    if (sh.sh_type == SHT_SYMTAB) {
      symtab = scn;
      sym_sh = sh;
    }
  }
  if (!ids || !symtab || sym_sh.sh_entsize == 0) return;
  Elf_Data* data = elf_rawdata(ids, nullptr);
  Elf_Data* sym_data = elf_getdata(symtab, nullptr);
  if (!data || !data->d_buf || !sym_data) return;
  const btf::ByteReader section({static_cast<const uint8_t*>(data->d_buf), data->d_size},
                                 syms.big_endian ? btf::Endian::Big : btf::Endian::Little);
  const uint64_t base = syms.is_rel ? 0 : ids_sh.sh_addr;
  const size_t ids_ndx = elf_ndxscn(ids);
  // The u32 at `addr` (an address in the section), or false when it is outside.
  auto word_at = [&](uint64_t addr, uint32_t* out) {
    if (addr < base) return false;
    const auto w = section.u32(addr - base);
    if (w) *out = *w;
    return w.has_value();
  };
  struct Range {
    uint64_t lo, hi;
  };
  std::vector<Range> sets;
  struct Member {
    std::string_view name;
    uint64_t addr;
  };
  std::vector<Member> members;
  const size_t n = sym_sh.sh_size / sym_sh.sh_entsize;
  for (size_t i = 1; i < n; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(sym_data, static_cast<int>(i), &sym) || sym.st_shndx != ids_ndx) continue;
    const char* raw = elf_strptr(elf, sym_sh.sh_link, sym.st_name);
    if (!raw) continue;
    const std::string_view name(raw);
    uint32_t flags = 0;
    if (name.starts_with(kSetPrefix)) {
      if (word_at(sym.st_value + 4, &flags) && (flags & kSet8Kfuncs))
        sets.push_back({sym.st_value, sym.st_value + sym.st_size});
    } else if (name.starts_with(kFuncPrefix)) {
      const std::string_view fn = member_name(name.substr(kFuncPrefix.size()));
      if (!fn.empty()) members.push_back({fn, sym.st_value});
    }
  }
  for (const Member& m : members) {
    const bool in_set = std::any_of(sets.begin(), sets.end(), [&](const Range& r) {
      return m.addr >= r.lo && m.addr < r.hi;
    });
    uint32_t flags = 0;
    if (in_set && word_at(m.addr + 4, &flags)) syms.kfuncs.push_back({m.name, flags});
  }
  // By name; of a name's entries the last in symbol order wins (stable sort, keep last).
  std::stable_sort(syms.kfuncs.begin(), syms.kfuncs.end(),
                   [](const Kfunc& a, const Kfunc& b) { return a.name < b.name; });
  std::vector<Kfunc> last;
  for (size_t i = 0; i < syms.kfuncs.size(); ++i)
    if (i + 1 == syms.kfuncs.size() || syms.kfuncs[i + 1].name != syms.kfuncs[i].name)
      last.push_back(syms.kfuncs[i]);
  syms.kfuncs = std::move(last);
}

}  // namespace btfcheck::encode
