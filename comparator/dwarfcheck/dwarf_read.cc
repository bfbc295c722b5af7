// The DWARF walk of the cross-check: open the ELF with libdwfl (which relocates ET_REL
// objects such as kernel modules, so DWARF addresses and symbol addresses agree), read the
// symbol table for the requested function names, then walk every unit once.
//
// Design:
// - Units come from dwarf_get_units: .debug_info (compile, partial and DWARF 5 type units)
//   and DWARF 4 .debug_types. The walk visits the unit's children, descending only into
//   subprograms, lexical blocks and namespaces (where C/C++ may define local types) and,
//   through the DieReader, into aggregates (nested C++ types); everything else (variables,
//   parameters, call sites, inlined bodies) is skipped by sibling links.
// - Each struct/union/enum/typedef definition is read into a RawDef and fingerprinted
//   (128 bits over everything the comparison uses); the fingerprint is the de-duplication
//   key, so a type defined identically in 2000 CUs is converted and compared with BTF once,
//   and differing same-named definitions are all kept. Order of first appearance (unit
//   order, DIE order) is the order of `defs`.
// - Subprograms are only turned into signatures when they define (not declare) a requested
//   name, or come from an assembler unit and have code. Which of them is at which symbol
//   is decided after the walk, once the target's entry offsets are learned from all of
//   them (func_entries.cc): its entry (entry_pc, else low_pc, else the first range) must
//   be at the symbol plus the offset of that symbol's kind. The rest are `others`: they
//   explain FUNCs whose prototype is another same-named function's, and symbols whose
//   subprogram has no address.
// - The ELF is opened read-only and only its own debug sections are used (no separate
//   debuginfo lookup): the check is about the DWARF in the file given.
#include "comparator/dwarfcheck/dwarf_read.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <unordered_set>

#include "comparator/dwarfcheck/dwarf_types.h"
#include "comparator/dwarfcheck/ftrace_table.h"

namespace btfcheck::dwarfcheck::detail {
namespace {

// Where a subprogram starts: its entry pc (DW_AT_entry_pc, else DW_AT_low_pc), or the start
// of its first address range when it has only DW_AT_ranges (split hot/cold code). Written
// here, not shared with the encoder: this reader is the oracle the encoder is checked by.
bool subprogram_start(Dwarf_Die* die, Dwarf_Addr* pc) {
  if (dwarf_entrypc(die, pc) == 0) return true;
  Dwarf_Addr base = 0, end = 0;
  return dwarf_ranges(die, 0, &base, pc, &end) > 0;
}

int no_separate_debuginfo(Dwfl_Module*, void**, const char*, Dwarf_Addr, const char*,
                          const char*, GElf_Word, char**) {
  return -1;
}

const Dwfl_Callbacks kCallbacks = {
    .find_elf = nullptr,
    .find_debuginfo = no_separate_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = nullptr,
};

struct DwflDeleter {
  void operator()(Dwfl* d) const { dwfl_end(d); }
};


// Open-addressing set of fingerprints (1.4M lookups, ~12k members on a vmlinux).
class FingerprintSet {
 public:
  bool insert(Fingerprint f) {
    if (f.a == 0 && f.b == 0) f.b = 1;   // {0,0} marks an empty slot
    if (slots_.size() < 2 * (size_ + 1)) grow();
    size_t j = f.a & (slots_.size() - 1);
    for (; slots_[j].a || slots_[j].b; j = (j + 1) & (slots_.size() - 1))
      if (slots_[j] == f) return false;
    slots_[j] = f;
    ++size_;
    return true;
  }

 private:
  void grow() {
    std::vector<Fingerprint> old(std::max<size_t>(4096, slots_.size() * 2));
    old.swap(slots_);
    for (const Fingerprint& f : old) {
      if (!f.a && !f.b) continue;
      size_t j = f.a & (slots_.size() - 1);
      while (slots_[j].a || slots_[j].b) j = (j + 1) & (slots_.size() - 1);
      slots_[j] = f;
    }
  }
  std::vector<Fingerprint> slots_;
  size_t size_ = 0;
};

class UnitWalk {
 public:
  UnitWalk(DieReader& reader, DwarfData& out, Collected& subs, const ReadRequest& req,
           bool want_funcs, Dwarf_Addr bias)
      : reader_(reader), out_(out), subs_(subs), req_(req), want_funcs_(want_funcs), bias_(bias) {
    for (const std::string& n : req.func_names) names_.insert(n);
  }

  void unit(Dwarf_CU* cu, Dwarf_Die* cudie, const std::string& name) {
    cu_name_ = name;
    Dwarf_Word lang = 0;
    Dwarf_Attribute a;
    assembler_ = dwarf_attr(cudie, DW_AT_language, &a) && dwarf_formudata(&a, &lang) == 0 &&
                 lang == DW_LANG_Mips_Assembler;
    reader_.begin_unit(cu);
    children(cudie, 0);
  }

  void type_def(Dwarf_Die* die) {
    if (!req_.types) return;
    // Nested definitions (C++) re-enter here while `raw_` of the outer one is in use.
    RawDef local;
    RawDef& raw = depth_++ == 0 ? raw_ : local;
    const bool ok = reader_.read(die, raw);
    --depth_;
    if (!ok || !seen_.insert(reader_.fingerprint(raw))) return;
    out_.defs.push_back({reader_.to_def(raw), cu_name_, dwarf_dieoffset(die)});
  }

 private:
  void children(Dwarf_Die* parent, int depth) {
    if (depth > 64) return;
    Dwarf_Die child;
    if (dwarf_child(parent, &child) != 0) return;
    do {
      switch (dwarf_tag(&child)) {
        case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
        case DW_TAG_enumeration_type: case DW_TAG_typedef:
          type_def(&child);
          break;
        case DW_TAG_subprogram:
          subprogram(&child);
          children(&child, depth + 1);
          break;
        case DW_TAG_lexical_block: case DW_TAG_namespace:
          children(&child, depth + 1);
          break;
        default:
          break;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }

  void subprogram(Dwarf_Die* die) {
    if (!want_funcs_ || dwarf_hasattr(die, DW_AT_declaration)) return;
    Dwarf_Addr pc = 0;
    const bool has_address = subprogram_start(die, &pc);
    const char* n = dwarf_diename(die);
    const bool requested = n && names_.count(n);
    if (!requested && !(assembler_ && has_address)) return;
    DwarfFunc f;
    f.addr = has_address ? pc + bias_ : 0;
    f.has_address = has_address;
    f.assembler = assembler_;
    if (n) f.name = n;
    f.sig = reader_.signature(die);
    f.cu = cu_name_;
    f.die = dwarf_dieoffset(die);
    if (!requested) {
      subs_.assembler.push_back(std::move(f));
      return;
    }
    std::vector<DwarfFunc>& v = subs_.named[f.name];
    if (!has_address)   // only code can be at a symbol: one address-less copy per signature
      for (const DwarfFunc& o : v)
        if (!o.has_address && same_sig(o.sig, f.sig)) return;
    v.push_back(std::move(f));
  }

  DieReader& reader_;
  DwarfData& out_;
  Collected& subs_;
  const ReadRequest& req_;
  bool want_funcs_;
  Dwarf_Addr bias_;
  std::string cu_name_;
  std::unordered_set<std::string_view> names_;   // req_.func_names, for lookups only
  bool assembler_ = false;
  RawDef raw_;      // reused buffers
  int depth_ = 0;
  FingerprintSet seen_;
};

}  // namespace

Result<DwarfData> read_dwarf(const std::string& path, const ReadRequest& req) {
  std::unique_ptr<Dwfl, DwflDeleter> dwfl(dwfl_begin(&kCallbacks));
  if (!dwfl) return file_error(path, "dwarf.open", dwfl_errmsg(-1));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return file_error(path, "io.open", std::strerror(errno));
  // dwfl_report_offline takes ownership of fd (closes it at dwfl_end), even on failure.
  Dwfl_Module* mod = dwfl_report_offline(dwfl.get(), path.c_str(), path.c_str(), fd);
  if (!mod) return file_error(path, "dwarf.open", std::string("not a readable ELF: ") + dwfl_errmsg(-1));
  dwfl_report_end(dwfl.get(), nullptr, nullptr);

  Dwarf_Addr bias = 0;
  Dwarf* dw = dwfl_module_getdwarf(mod, &bias);
  if (!dw)
    return file_error(path, "dwarf.no-debug-info",
                      std::string("no usable DWARF in the file: ") + dwfl_errmsg(-1));
  GElf_Addr ebias = 0;
  Elf* elf = dwfl_module_getelf(mod, &ebias);
  GElf_Ehdr ehdr;
  if (!elf || !gelf_getehdr(elf, &ehdr)) return file_error(path, "dwarf.open", "cannot read the ELF header");
  const bool little = ehdr.e_ident[EI_DATA] != ELFDATA2MSB;

  DwarfData data;
  Collected subs;
  subs.machine = ehdr.e_machine;
  // Symbols: every defined function symbol whose name a BTF FUNC carries, and the address
  // of every function symbol (to tell which ones the ftrace table's sites belong to).
  if (!req.func_names.empty()) {
    const int n = dwfl_module_getsymtab(mod);
    for (int i = 1; i < n; ++i) {
      GElf_Sym sym;
      GElf_Addr addr = 0;
      GElf_Word shndx = 0;
      const char* name = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, nullptr, nullptr);
      if (!name || GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF) continue;
      subs.func_symbols.push_back(addr);
      if (!req.func_names.count(name)) continue;
      std::vector<uint64_t>& v = data.symbols[name];
      if (std::find(v.begin(), v.end(), addr) == v.end()) v.push_back(addr);
    }
    for (auto& [name, v] : data.symbols) std::sort(v.begin(), v.end());
    std::sort(subs.func_symbols.begin(), subs.func_symbols.end());
    subs.func_symbols.erase(std::unique(subs.func_symbols.begin(), subs.func_symbols.end()),
                            subs.func_symbols.end());
  }

  DieReader reader(little, req.flat_arrays);
  UnitWalk walk(reader, data, subs, req, !data.symbols.empty(), bias);
  auto sink = [&walk](Dwarf_Die* d) { walk.type_def(d); };
  reader.set_nested_sink(&sink);
  Dwarf_CU* cu = nullptr;
  Dwarf_CU* next = nullptr;
  Dwarf_Half version = 0;
  uint8_t unit_type = 0;
  Dwarf_Die cudie, subdie;
  while (dwarf_get_units(dw, cu, &next, &version, &unit_type, &cudie, &subdie) == 0) {
    cu = next;
    ++data.units;
    const char* n = dwarf_diename(&cudie);
    std::string name = n ? n : "";
    if (name.empty() && (unit_type == DW_UT_type || unit_type == DW_UT_split_type)) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "(type unit at 0x%llx)",
                    static_cast<unsigned long long>(dwarf_dieoffset(&cudie)));
      name = buf;
    }
    walk.unit(cu, &cudie, name);
  }
  if (!req.func_names.empty())
    place_subprograms(std::move(subs), read_patch_table(mod, elf, ebias), data);
  return data;
}

}  // namespace btfcheck::dwarfcheck::detail
