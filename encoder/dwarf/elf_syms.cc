// ELF symbol facts for the encoder (see elf_syms.h). One pass over the symbol table;
// everything is sorted by an explicit key afterwards, so lookups are binary searches and
// nothing depends on hash-table order.
#include "encoder/dwarf/elf_syms.h"

#include <algorithm>
#include <cstring>

namespace btfcheck::encode {

bool btf_name_valid(std::string_view name) {
  if (name.empty() || name.size() >= 128) return false;
  auto ok = [](char c, bool first) {
    if (c == '_' || c == '.') return true;
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return first ? alpha : alpha || (c >= '0' && c <= '9');
  };
  for (size_t i = 0; i < name.size(); ++i)
    if (!ok(name[i], i == 0)) return false;
  return true;
}

int64_t ElfSymbols::find_func(std::string_view name) const {
  auto it = std::lower_bound(funcs.begin(), funcs.end(), name);
  if (it == funcs.end() || *it != name) return -1;
  return it - funcs.begin();
}

int64_t ElfSymbols::find_clone(std::string_view name) const {
  auto it = std::lower_bound(
      func_prefixes.begin(), func_prefixes.end(), name,
      [](const std::pair<std::string_view, uint32_t>& e, std::string_view k) { return e.first < k; });
  return it != func_prefixes.end() && it->first == name ? static_cast<int64_t>(it->second) : -1;
}

std::string_view ElfSymbols::find_piece(std::string_view name) const {
  auto it = std::lower_bound(
      func_pieces.begin(), func_pieces.end(), name,
      [](const std::pair<std::string_view, std::string_view>& e, std::string_view k) {
        return e.first < k;
      });
  return it != func_pieces.end() && it->first == name ? it->second : std::string_view{};
}

const FuncAddr* ElfSymbols::func_addr_at(uint32_t idx, uint32_t shndx, uint64_t value) const {
  for (uint32_t i = func_addr_first[idx]; i < func_addr_first[idx + 1]; ++i) {
    const FuncAddr& f = func_addrs[i];
    const int64_t off = f.patchable ? entries.patchable : entries.other;
    if (f.value + static_cast<uint64_t>(off) == value && (!is_rel || f.shndx == shndx)) return &f;
  }
  return nullptr;
}

const FuncAddr* ElfSymbols::func_addr_exact(uint32_t idx, uint64_t value) const {
  for (uint32_t i = func_addr_first[idx]; i < func_addr_first[idx + 1]; ++i)
    if (func_addrs[i].value == value) return &func_addrs[i];
  return nullptr;
}

const DataSym* ElfSymbols::find_percpu(uint64_t off) const {
  auto it = std::lower_bound(percpu.begin(), percpu.end(), off,
                             [](const DataSym& s, uint64_t a) { return s.addr < a; });
  if (it == percpu.end() || it->addr != off) return nullptr;
  return &*it;
}

const DataSym* ElfSymbols::find_object(uint64_t addr, std::string_view prefer_name) const {
  auto it = std::lower_bound(objects.begin(), objects.end(), addr,
                             [](const DataSym& s, uint64_t a) { return s.addr < a; });
  const DataSym* first = nullptr;
  for (; it != objects.end() && it->addr == addr; ++it) {
    if (!first) first = &*it;
    if (it->name == prefer_name) return &*it;
  }
  return first;
}

const DataSym* ElfSymbols::find_object_in(uint32_t shndx, uint64_t offset,
                                          std::string_view prefer_name) const {
  auto it = std::lower_bound(objects.begin(), objects.end(), offset,
                             [](const DataSym& s, uint64_t a) { return s.addr < a; });
  const DataSym* first = nullptr;
  for (; it != objects.end() && it->addr == offset; ++it) {
    if (it->shndx != shndx) continue;
    if (!first) first = &*it;
    if (it->name == prefer_name) return &*it;
  }
  return first;
}

Result<ElfSymbols> read_elf_symbols(Elf* elf, const std::string& path, bool base_names) {
  ElfSymbols out;
  out.base_names = base_names;
  auto fail = [&](const std::string& msg) {
    Error e;
    e.rule = "encode.elf";
    e.file = path;
    e.message = msg + ": " + elf_errmsg(-1);
    return e;
  };
  GElf_Ehdr eh;
  if (!gelf_getehdr(elf, &eh)) return fail("not an ELF file");
  out.is_rel = eh.e_type == ET_REL;
  out.big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
  out.machine = eh.e_machine;
  size_t shstrndx = 0, shnum = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0 || elf_getshdrnum(elf, &shnum) != 0)
    return fail("cannot read section headers");
  out.sections.resize(shnum);

  Elf_Scn* symtab = nullptr;
  Elf_Scn* dynsym = nullptr;
  Elf_Scn* xndx = nullptr;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    const size_t idx = elf_ndxscn(scn);
    const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
    if (idx < shnum) out.sections[idx] = {name ? name : "", sh.sh_addr, sh.sh_size};
    if (sh.sh_type == SHT_SYMTAB) symtab = scn;
    if (sh.sh_type == SHT_DYNSYM) dynsym = scn;
    if (sh.sh_type == SHT_SYMTAB_SHNDX) xndx = scn;
    if (name && std::strcmp(name, ".data..percpu") == 0) {
      out.percpu_shndx = static_cast<uint32_t>(idx);
      out.percpu_addr = sh.sh_addr;
      out.percpu_size = sh.sh_size;
    }
  }
  Elf_Scn* scn = symtab ? symtab : dynsym;
  if (!scn) return out;
  GElf_Shdr sh;
  if (!gelf_getshdr(scn, &sh) || sh.sh_entsize == 0) return out;
  Elf_Data* data = elf_getdata(scn, nullptr);
  Elf_Data* xdata = xndx ? elf_getdata(xndx, nullptr) : nullptr;
  if (!data) return fail("cannot read the symbol table");
  const size_t n = sh.sh_size / sh.sh_entsize;
  struct NamedAddr {
    std::string_view name;
    FuncAddr at;
  };
  std::vector<NamedAddr> func_syms;
  for (size_t i = 1; i < n; ++i) {
    GElf_Sym sym;
    Elf32_Word xshndx = 0;
    if (!gelf_getsymshndx(data, xdata, static_cast<int>(i), &sym, &xshndx)) continue;
    const char* name = elf_strptr(elf, sh.sh_link, sym.st_name);
    if (!name || !*name) continue;
    uint32_t shndx = sym.st_shndx == SHN_XINDEX ? xshndx : sym.st_shndx;
    const int type = GELF_ST_TYPE(sym.st_info);
    if (type == STT_FUNC) {
      std::string_view fn = name;
      FuncAddr at{shndx, sym.st_value, false, false, {}};
      if (base_names) {
        // pahole master's elf_functions__collect: strstr on the text from the first '.'.
        if (const size_t dot = fn.find('.'); dot != std::string_view::npos) {
          const std::string_view suffix = fn.substr(dot);
          if (suffix.find(".cold") != std::string_view::npos ||
              suffix.find(".part") != std::string_view::npos) {
            out.func_pieces.emplace_back(fn.substr(0, dot), fn);
            continue;
          }
          at.clone = suffix.find(".constprop") != std::string_view::npos ||
                     suffix.find(".isra") != std::string_view::npos;
          at.dotted = fn;
          fn = fn.substr(0, dot);
        }
      }
      func_syms.push_back({fn, at});
      continue;
    }
    if (type != STT_OBJECT || sym.st_size == 0) continue;
    if (shndx == SHN_UNDEF || shndx == SHN_ABS || shndx == SHN_COMMON || shndx >= shnum)
      continue;
    if (out.percpu_shndx && shndx == out.percpu_shndx && btf_name_valid(name))
      out.percpu.push_back({sym.st_value, sym.st_size, shndx, name});
    out.objects.push_back({sym.st_value, sym.st_size, shndx, name});
  }
  // Stable: symbols of one name at one place stay in symbol table order (`dotted`).
  std::stable_sort(func_syms.begin(), func_syms.end(), [](const NamedAddr& a, const NamedAddr& b) {
    if (a.name != b.name) return a.name < b.name;
    return a.at.shndx != b.at.shndx ? a.at.shndx < b.at.shndx : a.at.value < b.at.value;
  });
  for (size_t i = 0; i < func_syms.size(); ++i) {
    const NamedAddr& s = func_syms[i];
    if (out.funcs.empty() || out.funcs.back() != s.name) {
      out.funcs.push_back(s.name);
      out.func_addr_first.push_back(uint32_t(out.func_addrs.size()));
    } else if (out.func_addrs.back().shndx == s.at.shndx && out.func_addrs.back().value == s.at.value) {
      out.func_addrs.back().clone |= s.at.clone;
      if (out.func_addrs.back().dotted.empty()) out.func_addrs.back().dotted = s.at.dotted;
      continue;   // an alias of the same name at the same place
    }
    out.func_addrs.push_back(s.at);
  }
  out.func_addr_first.push_back(uint32_t(out.func_addrs.size()));
  for (uint32_t i = 0; i < out.funcs.size() && !base_names; ++i) {
    size_t dot = out.funcs[i].find('.');
    if (dot != std::string_view::npos && dot > 0)
      out.func_prefixes.emplace_back(out.funcs[i].substr(0, dot), i);
  }
  std::sort(out.func_prefixes.begin(), out.func_prefixes.end());
  std::sort(out.func_pieces.begin(), out.func_pieces.end());
  auto by_addr = [](const DataSym& a, const DataSym& b) {
    return a.addr != b.addr ? a.addr < b.addr : a.name < b.name;
  };
  // Per-CPU offsets are section-relative (pahole subtracts the section address for
  // non-relocatable files; in ET_REL the symbol value already is).
  if (!out.is_rel)
    for (auto& s : out.percpu) s.addr -= out.percpu_addr;
  std::sort(out.percpu.begin(), out.percpu.end(), by_addr);
  std::sort(out.objects.begin(), out.objects.end(), by_addr);
  mark_patchable(elf, out);
  return out;
}

}  // namespace btfcheck::encode
