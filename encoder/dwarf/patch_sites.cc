// Which function symbols have an ftrace patch area, from the ELF alone (for the entry
// offsets of entry_offsets.cc). The oracle (comparator/dwarfcheck) reads the same table
// with its own code; this one works on the raw file, before any relocation.
//
// Where the sites are:
//  - a linked file (vmlinux, a program): the words between the symbols __start_mcount_loc
//    and __stop_mcount_loc (the kernel's linker script collects __mcount_loc and
//    __patchable_function_entries there), else those sections themselves. A word that is
//    zero in the file is filled at load time by a relocation in a relocation section for
//    the table's section or a dynamic one (arm64's vmlinux: R_AARCH64_RELATIVE in
//    .rela.dyn): its site is the relocation's symbol value plus its addend.
//  - a relocatable object (a module): each of those sections' relocations names a symbol
//    of a code section and an addend (REL: the word in place): the site is
//    (that section, symbol value + addend).
// A site belongs to the function whose symbol is the nearest at or before it when it is
// fewer than kWindow bytes in (x86 IBT: endbr64 first, the site at +4; arm64: at +0), else
// to the function whose symbol follows within kWindow bytes (patch NOPs placed before the
// symbol, -fpatchable-function-entry=N,M with M > 0), else to none.
#include <gelf.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "encoder/dwarf/elf_syms.h"

namespace btfcheck::encode {
namespace {

constexpr uint64_t kWindow = 16;

// (section key, value): the section index for ET_REL, 0 for linked files.
using Pos = std::pair<uint32_t, uint64_t>;

struct Scn {
  Elf_Scn* scn;
  GElf_Shdr sh;
  const char* name;
};

class SiteReader {
 public:
  explicit SiteReader(Elf* elf) : elf_(elf) {}

  bool init() {
    GElf_Ehdr eh;
    size_t strndx = 0;
    if (!gelf_getehdr(elf_, &eh) || elf_getshdrstrndx(elf_, &strndx) != 0) return false;
    rel_ = eh.e_type == ET_REL;
    wsize_ = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 8 : 4;
    msb_ = eh.e_ident[EI_DATA] == ELFDATA2MSB;
    for (Elf_Scn* s = elf_nextscn(elf_, nullptr); s; s = elf_nextscn(elf_, s)) {
      Scn x{s, {}, nullptr};
      if (!gelf_getshdr(s, &x.sh)) continue;
      x.name = elf_strptr(elf_, strndx, x.sh.sh_name);
      if (!x.name) x.name = "";
      if (elf_ndxscn(s) >= scns_.size()) scns_.resize(elf_ndxscn(s) + 1, Scn{nullptr, {}, ""});
      scns_[elf_ndxscn(s)] = x;
    }
    return true;
  }

  bool relocatable() const { return rel_; }

  // ET_REL: the sites of every table section, from its relocations.
  void from_relocations(std::vector<Pos>& out, std::string& table) {
    for (size_t r = 0; r < scns_.size(); ++r) {
      const Scn& rs = scns_[r];
      if (!rs.scn || (rs.sh.sh_type != SHT_REL && rs.sh.sh_type != SHT_RELA)) continue;
      if (rs.sh.sh_info >= scns_.size() || !table_section(scns_[rs.sh.sh_info])) continue;
      const size_t before = out.size();
      Elf_Data* tdata = elf_getdata(scns_[rs.sh.sh_info].scn, nullptr);
      relocs(r, [&](uint64_t at, GElf_Sym* sym, int64_t addend, bool rela) {
        if (!sym) return;
        if (!rela) {
          if (!tdata || !tdata->d_buf || at + wsize_ > tdata->d_size) return;
          addend = static_cast<int64_t>(word(static_cast<const unsigned char*>(tdata->d_buf) + at));
        }
        out.emplace_back(sym->st_shndx, sym->st_value + static_cast<uint64_t>(addend));
      });
      note(table, scns_[rs.sh.sh_info].name, out.size() - before, "relocations");
    }
  }

  // Linked files: the table's words, zeros filled from relocations.
  void from_table(std::vector<Pos>& out, std::string& table) {
    uint64_t lo = 0, hi = 0;
    if (symbol("__start_mcount_loc", &lo) && symbol("__stop_mcount_loc", &hi) && lo < hi) {
      const size_t before = out.size();
      range(lo, hi, out);
      note(table, "__start_mcount_loc..__stop_mcount_loc", out.size() - before, filled_from_);
      return;
    }
    for (const Scn& s : scns_)
      if (s.scn && table_section(s) && (s.sh.sh_flags & SHF_ALLOC) && s.sh.sh_size) {
        const size_t before = out.size();
        range(s.sh.sh_addr, s.sh.sh_addr + s.sh.sh_size, out);
        note(table, s.name, out.size() - before, filled_from_);
      }
  }

 private:
  static bool table_section(const Scn& s) {
    return std::strcmp(s.name, "__patchable_function_entries") == 0 ||
           std::strcmp(s.name, "__mcount_loc") == 0;
  }

  void note(std::string& table, const std::string& what, size_t n, const std::string& how) {
    table += (table.empty() ? "" : ", ") + what + " (" + std::to_string(n) + " sites" +
             (how.empty() ? "" : ", from " + how) + ")";
  }

  uint64_t word(const unsigned char* p) const {
    uint64_t v = 0;
    for (unsigned i = 0; i < wsize_; ++i) {
      const unsigned shift = msb_ ? 8 * (wsize_ - 1 - i) : 8 * i;
      v |= uint64_t(p[i]) << shift;
    }
    return v;
  }

  bool symbol(const char* want, uint64_t* value) {
    for (const Scn& s : scns_) {
      if (!s.scn || s.sh.sh_type != SHT_SYMTAB || !s.sh.sh_entsize) continue;
      Elf_Data* d = elf_getdata(s.scn, nullptr);
      if (!d) continue;
      for (size_t i = 1; i < s.sh.sh_size / s.sh.sh_entsize; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(d, static_cast<int>(i), &sym)) continue;
        const char* n = elf_strptr(elf_, s.sh.sh_link, sym.st_name);
        if (n && std::strcmp(n, want) == 0) {
          *value = sym.st_value;
          return true;
        }
      }
    }
    return false;
  }

  // f(offset, symbol or nullptr when it has none, addend, is_rela) per relocation of r.
  template <typename F>
  void relocs(size_t r, F&& f) {
    const Scn& rs = scns_[r];
    Elf_Data* d = elf_getdata(rs.scn, nullptr);
    Elf_Data* symd = rs.sh.sh_link < scns_.size() && scns_[rs.sh.sh_link].scn
                         ? elf_getdata(scns_[rs.sh.sh_link].scn, nullptr)
                         : nullptr;
    if (!d || !rs.sh.sh_entsize) return;
    for (size_t i = 0; i < rs.sh.sh_size / rs.sh.sh_entsize; ++i) {
      uint64_t at = 0, info = 0;
      int64_t addend = 0;
      if (rs.sh.sh_type == SHT_RELA) {
        GElf_Rela x;
        if (!gelf_getrela(d, static_cast<int>(i), &x)) continue;
        at = x.r_offset, info = x.r_info, addend = x.r_addend;
      } else {
        GElf_Rel x;
        if (!gelf_getrel(d, static_cast<int>(i), &x)) continue;
        at = x.r_offset, info = x.r_info;
      }
      GElf_Sym sym{};
      const uint64_t idx = GELF_R_SYM(info);
      if (idx == 0) {
        f(at, &sym, addend, rs.sh.sh_type == SHT_RELA);   // no symbol: value 0
      } else if (symd && gelf_getsym(symd, static_cast<int>(idx), &sym)) {
        f(at, &sym, addend, rs.sh.sh_type == SHT_RELA);
      } else {
        f(at, nullptr, addend, rs.sh.sh_type == SHT_RELA);
      }
    }
  }

  void range(uint64_t lo, uint64_t hi, std::vector<Pos>& out) {
    filled_from_.clear();
    size_t home = 0;
    for (size_t i = 1; i < scns_.size(); ++i) {
      const GElf_Shdr& h = scns_[i].sh;
      if (scns_[i].scn && (h.sh_flags & SHF_ALLOC) && h.sh_type != SHT_NOBITS && h.sh_addr <= lo &&
          hi <= h.sh_addr + h.sh_size)
        home = i;
    }
    if (!home) return;
    Elf_Data* d = elf_getdata(scns_[home].scn, nullptr);
    const uint64_t first = lo - scns_[home].sh.sh_addr, n = (hi - lo) / wsize_;
    if (!d || !d->d_buf || first + n * wsize_ > d->d_size) return;
    const auto* p = static_cast<const unsigned char*>(d->d_buf) + first;
    std::vector<uint64_t> zeros;   // addresses of words the file leaves zero, ascending
    for (uint64_t k = 0; k < n; ++k) {
      if (const uint64_t v = word(p + k * wsize_))
        out.emplace_back(0, v);
      else
        zeros.push_back(lo + k * wsize_);
    }
    if (zeros.empty()) return;
    std::vector<uint8_t> filled(zeros.size(), 0);
    for (size_t r = 1; r < scns_.size(); ++r) {
      const Scn& rs = scns_[r];
      if (!rs.scn || (rs.sh.sh_type != SHT_REL && rs.sh.sh_type != SHT_RELA)) continue;
      const bool dynamic = rs.sh.sh_info == 0 && (rs.sh.sh_flags & SHF_ALLOC);
      if (!dynamic && rs.sh.sh_info != home) continue;
      size_t used = 0;
      relocs(r, [&](uint64_t at, GElf_Sym* sym, int64_t addend, bool) {
        auto it = std::lower_bound(zeros.begin(), zeros.end(), at);
        if (!sym || it == zeros.end() || *it != at || filled[it - zeros.begin()]) return;
        filled[it - zeros.begin()] = 1;
        out.emplace_back(0, sym->st_value + static_cast<uint64_t>(addend));
        ++used;
      });
      if (used)
        filled_from_ += (filled_from_.empty() ? "" : ", ") + std::to_string(used) + " " + rs.name;
    }
  }

  Elf* elf_;
  bool rel_ = false, msb_ = false;
  unsigned wsize_ = 8;
  std::vector<Scn> scns_;
  std::string filled_from_;
};

}  // namespace

void mark_patchable(Elf* elf, ElfSymbols& syms) {
  SiteReader reader(elf);
  if (!reader.init()) return;
  std::vector<Pos> sites;
  if (reader.relocatable())
    reader.from_relocations(sites, syms.entries.table);
  else
    reader.from_table(sites, syms.entries.table);
  syms.entries.sites = sites.size();
  if (sites.empty()) return;
  std::sort(sites.begin(), sites.end());
  auto key = [&](const FuncAddr& f) { return Pos(syms.is_rel ? f.shndx : 0, f.value); };
  std::vector<Pos> funcs;
  funcs.reserve(syms.func_addrs.size());
  for (const FuncAddr& f : syms.func_addrs) funcs.push_back(key(f));
  std::sort(funcs.begin(), funcs.end());
  funcs.erase(std::unique(funcs.begin(), funcs.end()), funcs.end());
  // A function is patchable when a site is in [F, F + kWindow) before the next function
  // starts, or in the kWindow bytes before F that the previous function does not reach.
  std::vector<Pos> patchable;
  for (size_t i = 0; i < funcs.size(); ++i) {
    const auto [sec, f] = funcs[i];
    const bool next_same = i + 1 < funcs.size() && funcs[i + 1].first == sec;
    const uint64_t end = std::min(f + kWindow, next_same ? funcs[i + 1].second : UINT64_MAX);
    auto in = std::lower_bound(sites.begin(), sites.end(), Pos(sec, f));
    bool has = in != sites.end() && in->first == sec && in->second < end;
    if (!has) {
      const bool prev_same = i > 0 && funcs[i - 1].first == sec;
      uint64_t from = f >= kWindow ? f - kWindow : 0;
      if (prev_same) from = std::max(from, funcs[i - 1].second + kWindow);
      auto before = std::lower_bound(sites.begin(), sites.end(), Pos(sec, from));
      has = from < f && before != sites.end() && before->first == sec && before->second < f;
    }
    if (has) patchable.push_back(funcs[i]);
  }
  syms.entries.patchable_funcs = static_cast<uint32_t>(patchable.size());
  for (FuncAddr& f : syms.func_addrs) f.patchable = std::binary_search(patchable.begin(), patchable.end(), key(f));
}

}  // namespace btfcheck::encode
