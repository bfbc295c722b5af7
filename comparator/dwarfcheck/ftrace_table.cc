// The ftrace table of an ELF: where the patch sites of traced functions are.
//
// - Linked files (vmlinux, programs): the table between the symbols __start_mcount_loc and
//   __stop_mcount_loc (the kernel's linker script gathers every object's __mcount_loc and
//   __patchable_function_entries there), else the __patchable_function_entries and
//   __mcount_loc sections themselves. One pointer-sized word per site, in the ELF's byte
//   order. A word that is zero in the file is filled at load time by a relocation (arm64
//   links vmlinux -pie --no-apply-dynamic-relocs: R_AARCH64_RELATIVE in .rela.dyn, whose
//   addend is the site); its value is then the relocation's symbol + addend. Only the
//   relocation sections that apply to the table's section, or dynamic ones, are read, and
//   only when some word is zero.
// - Relocatable objects (modules): the same sections hold zeros and one relocation per
//   site against a symbol of the code section (`.text + off`); the site is that symbol's
//   address as libdwfl laid the sections out, plus the addend (REL: the word in place).
//   libdwfl may already have applied those relocations in memory (it does when it reads
//   the DWARF of an ET_REL file, leaving the relocation section empty): then the words
//   are the sites.
#include "comparator/dwarfcheck/ftrace_table.h"

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace btfcheck::dwarfcheck::detail {
namespace {

struct Section {
  GElf_Shdr sh;
  std::string name;
  Elf_Scn* scn = nullptr;
};

bool is_table_name(const std::string& n) {
  return n == "__patchable_function_entries" || n == "__mcount_loc";
}

uint64_t load_word(const unsigned char* p, unsigned size, bool little) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint64_t(p[little ? i : size - 1 - i]) << (8 * i);
  return v;
}

class Reader {
 public:
  Reader(Dwfl_Module* mod, Elf* elf, GElf_Addr ebias) : mod_(mod), elf_(elf), ebias_(ebias) {}

  PatchTable read() {
    GElf_Ehdr eh;
    size_t shstrndx = 0;
    if (!gelf_getehdr(elf_, &eh) || elf_getshdrstrndx(elf_, &shstrndx) != 0) return {};
    word_ = eh.e_ident[EI_CLASS] == ELFCLASS32 ? 4 : 8;
    little_ = eh.e_ident[EI_DATA] != ELFDATA2MSB;
    for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
      Section s;
      if (!gelf_getshdr(scn, &s.sh)) continue;
      const char* n = elf_strptr(elf_, shstrndx, s.sh.sh_name);
      s.name = n ? n : "";
      s.scn = scn;
      secs_[elf_ndxscn(scn)] = std::move(s);
    }
    return eh.e_type == ET_REL ? relocatable() : linked();
  }

 private:
  // The bytes of section `idx` from `off` (nullptr when out of range or without data).
  const unsigned char* bytes(size_t idx, uint64_t off, uint64_t len) {
    auto it = secs_.find(idx);
    if (it == secs_.end() || it->second.sh.sh_type == SHT_NOBITS) return nullptr;
    Elf_Data* d = elf_getdata(it->second.scn, nullptr);
    if (!d || !d->d_buf || off > d->d_size || len > d->d_size - off) return nullptr;
    return static_cast<const unsigned char*>(d->d_buf) + off;
  }

  // Calls f(r_offset, symbol index, addend, is_rela) for every relocation of `rel_idx`.
  template <typename F>
  void each_reloc(size_t rel_idx, F&& f) {
    const Section& rs = secs_[rel_idx];
    Elf_Data* d = elf_getdata(rs.scn, nullptr);
    if (!d || rs.sh.sh_entsize == 0) return;
    const bool rela = rs.sh.sh_type == SHT_RELA;
    const size_t n = rs.sh.sh_size / rs.sh.sh_entsize;
    for (size_t i = 0; i < n; ++i) {
      if (rela) {
        GElf_Rela r;
        if (gelf_getrela(d, static_cast<int>(i), &r))
          f(r.r_offset, GELF_R_SYM(r.r_info), static_cast<int64_t>(r.r_addend), true);
      } else {
        GElf_Rel r;
        if (gelf_getrel(d, static_cast<int>(i), &r)) f(r.r_offset, GELF_R_SYM(r.r_info), 0, false);
      }
    }
  }

  PatchTable relocatable() {
    PatchTable t;
    std::map<std::string, uint64_t> per_name;
    for (auto& [tidx, ts] : secs_) {
      if (!is_table_name(ts.name)) continue;
      const size_t before = t.sites.size();
      bool relocs = false;
      for (auto& [idx, rs] : secs_) {
        if ((rs.sh.sh_type != SHT_RELA && rs.sh.sh_type != SHT_REL) || rs.sh.sh_info != tidx ||
            rs.sh.sh_size == 0)
          continue;
        relocs = true;
        each_reloc(idx, [&](uint64_t off, uint64_t symndx, int64_t addend, bool rela) {
          if (!rela) {
            const unsigned char* p = bytes(tidx, off, word_);
            if (!p) return;
            addend = static_cast<int64_t>(load_word(p, word_, little_));
          }
          GElf_Sym sym;
          GElf_Addr addr = 0;
          if (dwfl_module_getsym_info(mod_, static_cast<int>(symndx), &sym, &addr, nullptr,
                                      nullptr, nullptr))
            t.sites.push_back(addr + static_cast<uint64_t>(addend));
        });
      }
      // libdwfl applies an ET_REL file's relocations in memory when it reads the DWARF
      // (and empties their sections): the words then hold the sites already.
      const uint64_t count = ts.sh.sh_size / word_;
      if (!relocs)
        if (const unsigned char* p = bytes(tidx, 0, count * word_))
          for (uint64_t i = 0; i < count; ++i)
            if (const uint64_t v = load_word(p + i * word_, word_, little_)) t.sites.push_back(v + ebias_);
      per_name[ts.name] += t.sites.size() - before;
    }
    for (const auto& [name, n] : per_name)
      t.source += (t.source.empty() ? "" : ", ") + name + " (" + std::to_string(n) + " sites, relocated)";
    return t;
  }

  // A raw symbol value by name from the symbol table (nullopt-like: false when absent).
  bool raw_symbol(const char* name, uint64_t* value) {
    const int n = dwfl_module_getsymtab(mod_);
    for (int i = 1; i < n; ++i) {
      GElf_Sym sym;
      GElf_Addr addr = 0;
      const char* s = dwfl_module_getsym_info(mod_, i, &sym, &addr, nullptr, nullptr, nullptr);
      if (s && std::strcmp(s, name) == 0) {
        *value = sym.st_value;
        return true;
      }
    }
    return false;
  }

  // The words of [start, stop) (ELF addresses) into `t`, relocations filling zeros.
  void read_range(uint64_t start, uint64_t stop, PatchTable& t, uint64_t* from_relocs,
                  std::string* reloc_names) {
    size_t home = 0;
    for (const auto& [idx, s] : secs_)
      if ((s.sh.sh_flags & SHF_ALLOC) && s.sh.sh_addr <= start && stop <= s.sh.sh_addr + s.sh.sh_size &&
          s.sh.sh_type != SHT_NOBITS)
        home = idx;
    if (!home) return;
    const GElf_Shdr& h = secs_[home].sh;
    const uint64_t count = (stop - start) / word_;
    const unsigned char* p = bytes(home, start - h.sh_addr, count * word_);
    if (!p) return;
    std::map<uint64_t, bool> zero;   // address of a zero word -> filled
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t v = load_word(p + i * word_, word_, little_);
      if (v)
        t.sites.push_back(v + ebias_);
      else
        zero.emplace(start + i * word_, false);
    }
    if (zero.empty()) return;
    for (auto& [idx, rs] : secs_) {
      if (rs.sh.sh_type != SHT_RELA && rs.sh.sh_type != SHT_REL) continue;
      const bool dynamic = rs.sh.sh_info == 0 && (rs.sh.sh_flags & SHF_ALLOC);
      if (!dynamic && rs.sh.sh_info != home) continue;
      Elf_Data* symdata = nullptr;
      if (auto ls = secs_.find(rs.sh.sh_link); ls != secs_.end()) symdata = elf_getdata(ls->second.scn, nullptr);
      uint64_t used = 0;
      each_reloc(idx, [&](uint64_t off, uint64_t symndx, int64_t addend, bool) {
        auto z = zero.find(off);
        if (z == zero.end() || z->second) return;
        uint64_t base = 0;
        GElf_Sym sym;
        if (symndx && symdata && gelf_getsym(symdata, static_cast<int>(symndx), &sym)) base = sym.st_value;
        if (symndx && !symdata) return;
        z->second = true;
        t.sites.push_back(base + static_cast<uint64_t>(addend) + ebias_);
        ++used;
      });
      if (used) {
        *from_relocs += used;
        *reloc_names += (reloc_names->empty() ? "" : ", ") + rs.name;
      }
    }
  }

  PatchTable linked() {
    PatchTable t;
    uint64_t start = 0, stop = 0, from_relocs = 0;
    std::string relocs;
    if (raw_symbol("__start_mcount_loc", &start) && raw_symbol("__stop_mcount_loc", &stop) &&
        start < stop) {
      read_range(start, stop, t, &from_relocs, &relocs);
      t.source = "__start_mcount_loc..__stop_mcount_loc";
    } else {
      for (const auto& [idx, s] : secs_)
        if (is_table_name(s.name) && (s.sh.sh_flags & SHF_ALLOC) && s.sh.sh_size) {
          read_range(s.sh.sh_addr, s.sh.sh_addr + s.sh.sh_size, t, &from_relocs, &relocs);
          t.source += (t.source.empty() ? "" : ", ") + s.name;
        }
    }
    if (t.source.empty()) return t;
    t.source += " (" + std::to_string(t.sites.size()) + " sites";
    if (from_relocs) t.source += ", " + std::to_string(from_relocs) + " of them from " + relocs;
    t.source += ")";
    return t;
  }

  Dwfl_Module* mod_;
  Elf* elf_;
  GElf_Addr ebias_;
  unsigned word_ = 8;
  bool little_ = true;
  std::map<size_t, Section> secs_;
};

}  // namespace

PatchTable read_patch_table(Dwfl_Module* mod, Elf* elf, GElf_Addr ebias) {
  return Reader(mod, elf, ebias).read();
}

}  // namespace btfcheck::dwarfcheck::detail
