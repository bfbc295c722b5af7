// Per-thread libdw handles, unit listing and the input-determined batch plan
// (see dwarf_file.h).
#include "encoder/dwarf/dwarf_file.h"

#include <dwarf.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace btfcheck::encode {
namespace {

// The object's own DWARF is the debug info: never search elsewhere for it.
int no_separate_debuginfo(Dwfl_Module*, void**, const char*, Dwarf_Addr, const char*,
                          const char*, GElf_Word, char**) {
  return -1;
}

// Constant callback table for offline ET_REL files. libdwfl lays the allocated sections
// out one after another; DwarfFile::section_offset maps addresses back.
const Dwfl_Callbacks kOfflineCallbacks = {nullptr, no_separate_debuginfo,
                                          dwfl_offline_section_address, nullptr};

}  // namespace

Result<std::unique_ptr<DwarfFile>> DwarfFile::open(const std::string& path) {
  std::unique_ptr<DwarfFile> f(new DwarfFile());
  f->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f->fd_ < 0) return file_error(path, "io.open", std::strerror(errno));
  f->elf_ = elf_begin(f->fd_, ELF_C_READ_MMAP, nullptr);
  if (!f->elf_ || elf_kind(f->elf_) != ELF_K_ELF)
    return file_error(path, "encode.elf", "not an ELF file");
  GElf_Ehdr eh;
  if (!gelf_getehdr(f->elf_, &eh)) return file_error(path, "encode.elf", elf_errmsg(-1));
  if (eh.e_type == ET_REL) {
    f->dwfl_ = dwfl_begin(&kOfflineCallbacks);
    if (!f->dwfl_) return file_error(path, "encode.dwarf", dwfl_errmsg(-1));
    int dupfd = ::dup(f->fd_);
    if (dupfd < 0) return file_error(path, "io.open", std::strerror(errno));
    Dwfl_Module* mod = dwfl_report_offline(f->dwfl_, path.c_str(), path.c_str(), dupfd);
    if (!mod) return file_error(path, "encode.dwarf", dwfl_errmsg(-1));
    dwfl_report_end(f->dwfl_, nullptr, nullptr);
    Dwarf_Addr bias = 0;
    f->dwfl_mod_ = mod;
    f->dbg_ = dwfl_module_getdwarf(mod, &bias);
    if (!f->dbg_) return file_error(path, "encode.no-dwarf", "no DWARF debug info");
  } else {
    f->dbg_ = dwarf_begin_elf(f->elf_, DWARF_C_READ, nullptr);
    if (!f->dbg_) return file_error(path, "encode.no-dwarf", "no DWARF debug info");
  }
  return f;
}

Result<std::unique_ptr<DwarfFile>> DwarfFile::open_sibling(const DwarfFile& main,
                                                           const std::string& path) {
  if (main.dwfl_) return open(path);
  std::unique_ptr<DwarfFile> f(new DwarfFile());
  f->elf_ = main.elf_;
  f->owns_elf_ = false;
  f->dbg_ = dwarf_begin_elf(f->elf_, DWARF_C_READ, nullptr);
  if (!f->dbg_) return file_error(path, "encode.no-dwarf", "no DWARF debug info");
  return f;
}

bool DwarfFile::section_offset(uint64_t addr, uint32_t* shndx, uint64_t* offset) const {
  if (!dwfl_mod_) return false;
  Dwarf_Addr a = addr, bias = 0;
  Elf_Scn* scn = dwfl_module_address_section(dwfl_mod_, &a, &bias);
  if (!scn) return false;
  *shndx = static_cast<uint32_t>(elf_ndxscn(scn));
  *offset = a;
  return true;
}

DwarfFile::~DwarfFile() {
  if (dwfl_)
    dwfl_end(dwfl_);
  else if (dbg_)
    dwarf_end(dbg_);
  if (elf_ && owns_elf_) elf_end(elf_);
  if (fd_ >= 0) ::close(fd_);
}

Result<UnitList> list_units(Dwarf* dbg, const std::string& path) {
  UnitList out;
  // .debug_info: compile, partial and (DWARF 5) type units.
  Dwarf_Off off = 0, next = 0;
  size_t hsize = 0;
  Dwarf_Half version = 0;
  uint64_t sig = 0;
  Dwarf_Off type_off = 0;
  for (;;) {
    int rc = dwarf_next_unit(dbg, off, &next, &hsize, &version, nullptr, nullptr, nullptr,
                             nullptr, nullptr);
    if (rc != 0) break;
    Dwarf_Die die;
    if (!dwarf_offdie(dbg, off + hsize, &die))
      return file_error(path, "encode.dwarf", "cannot read the unit DIE at .debug_info+" +
                                                  std::to_string(off + hsize));
    const int tag = dwarf_tag(&die);
    Unit u{off + hsize, next - off, false};
    if (tag == DW_TAG_type_unit)
      out.type_units.push_back(u);
    else if (tag == DW_TAG_compile_unit || tag == DW_TAG_partial_unit)
      out.cus.push_back(u);
    if (next <= off) break;
    off = next;
  }
  // .debug_types (DWARF 4 type units).
  off = 0;
  for (;;) {
    int rc = dwarf_next_unit(dbg, off, &next, &hsize, &version, nullptr, nullptr, nullptr,
                             &sig, &type_off);
    if (rc != 0) break;
    Dwarf_Die die;
    if (dwarf_offdie_types(dbg, off + hsize, &die))
      out.type_units.push_back({off + hsize, next - off, true});
    if (next <= off) break;
    off = next;
  }
  return out;
}

std::vector<BatchSpan> plan_batches(const UnitList& units, uint64_t target_bytes, bool single) {
  std::vector<BatchSpan> out;
  const uint32_t n = static_cast<uint32_t>(units.cus.size());
  if (n == 0) return out;
  if (single) return {BatchSpan{0, n}};
  uint64_t acc = 0;
  BatchSpan cur{0, 0};
  for (uint32_t i = 0; i < n; ++i) {
    acc += units.cus[i].size;
    cur.end = i + 1;
    if (acc >= target_bytes) {
      out.push_back(cur);
      cur = {i + 1, i + 1};
      acc = 0;
    }
  }
  if (cur.end > cur.first) out.push_back(cur);
  return out;
}

}  // namespace btfcheck::encode
