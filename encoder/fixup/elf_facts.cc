#include "encoder/fixup/elf_facts.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace btfcheck::fixup {
namespace {

Error elf_error(const std::string& path, const char* rule, std::string message,
                std::string section = "") {
  Error e;
  e.rule = rule;
  e.file = path;
  e.section = std::move(section);
  e.message = std::move(message);
  return e;
}

struct ElfHandle {
  int fd = -1;
  Elf* elf = nullptr;
  ~ElfHandle() {
    if (elf) elf_end(elf);
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

const ElfSection* ElfFacts::section(const std::string& name) const {
  for (const ElfSection& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

const ElfSection* ElfFacts::section_by_index(uint32_t index) const {
  for (const ElfSection& s : sections)
    if (s.index == index) return &s;
  return nullptr;
}

Result<ElfFacts> read_elf_facts(const std::string& path) {
  if (elf_version(EV_CURRENT) == EV_NONE)
    return elf_error(path, "fixup.elf-open", "libelf initialisation failed");
  ElfHandle h;
  h.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (h.fd < 0) return elf_error(path, "fixup.elf-open", std::strerror(errno));
  h.elf = elf_begin(h.fd, ELF_C_READ_MMAP, nullptr);
  if (!h.elf || elf_kind(h.elf) != ELF_K_ELF)
    return elf_error(path, "fixup.elf-malformed",
                     std::string("not an ELF object: ") + elf_errmsg(-1));

  ElfFacts f;
  f.path = path;
  GElf_Ehdr eh;
  if (!gelf_getehdr(h.elf, &eh))
    return elf_error(path, "fixup.elf-malformed",
                     std::string("cannot read the ELF header: ") + elf_errmsg(-1));
  f.machine = eh.e_machine;
  f.big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;

  size_t shstrndx = 0;
  if (elf_getshdrstrndx(h.elf, &shstrndx) != 0)
    return elf_error(path, "fixup.elf-malformed",
                     std::string("no section name table: ") + elf_errmsg(-1));

  Elf_Scn* symtab = nullptr;
  GElf_Shdr symtab_sh{};
  for (Elf_Scn* scn = elf_nextscn(h.elf, nullptr); scn; scn = elf_nextscn(h.elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
      return elf_error(path, "fixup.elf-malformed",
                       std::string("cannot read a section header: ") + elf_errmsg(-1));
    ElfSection s;
    s.index = uint32_t(elf_ndxscn(scn));
    const char* name = elf_strptr(h.elf, shstrndx, sh.sh_name);
    if (!name)
      return elf_error(path, "fixup.elf-malformed",
                       "section " + std::to_string(s.index) + " has no readable name");
    s.name = name;
    s.type = sh.sh_type;
    s.flags = sh.sh_flags;
    s.size = sh.sh_size;
    f.sections.push_back(std::move(s));
    if (sh.sh_type == SHT_SYMTAB) {
      if (symtab)
        return elf_error(path, "fixup.elf-symtab", "multiple symbol tables", name);
      symtab = scn;
      symtab_sh = sh;
    }
  }
  if (!symtab) return f;

  f.has_symtab = true;
  Elf_Data* data = elf_getdata(symtab, nullptr);
  if (!data || symtab_sh.sh_entsize == 0)
    return elf_error(path, "fixup.elf-malformed",
                     std::string("cannot read the symbol table: ") + elf_errmsg(-1), ".symtab");
  const size_t n = symtab_sh.sh_size / symtab_sh.sh_entsize;
  f.symbols.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, int(i), &sym))
      return elf_error(path, "fixup.elf-malformed",
                       "cannot read symbol " + std::to_string(i), ".symtab");
    ElfSymbol s;
    s.index = uint32_t(i);
    if (sym.st_name) {
      const char* name = elf_strptr(h.elf, symtab_sh.sh_link, sym.st_name);
      if (name) s.name = name;
      else s.name_ok = false;
    }
    s.value = sym.st_value;
    s.size = sym.st_size;
    s.bind = uint8_t(GELF_ST_BIND(sym.st_info));
    s.type = uint8_t(GELF_ST_TYPE(sym.st_info));
    s.visibility = uint8_t(GELF_ST_VISIBILITY(sym.st_other));
    s.shndx = sym.st_shndx;
    f.symbols.push_back(std::move(s));
  }
  return f;
}

}  // namespace btfcheck::fixup
