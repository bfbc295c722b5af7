// --elf output: a copy of the input ELF whose .BTF section holds the new BTF (and, for
// split BTF on a distilled base, whose .BTF.base holds that base).
//
// The copy is made in a memfd with libelf (no external objcopy). We lay the file out
// ourselves (ELF_F_LAYOUT): every existing section keeps its offset, the new .BTF bytes
// (and, when the section is new, a grown .shstrtab) go after the last byte in use, then the
// section header table. Loadable segments are untouched; a .BTF that was SHF_ALLOC in a
// segment is moved out of it (fine for analysis copies, as pahole's in-place rewrite).
#include <fcntl.h>
#include <gelf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "btf/load.h"
#include "encoder/dwarf/encode.h"

namespace btfcheck::encode {
namespace {

Error elf_err(const std::string& path, const std::string& msg) {
  return file_error(path, "encode.elf-write",
                    msg + (elf_errno() ? std::string(": ") + elf_errmsg(-1) : std::string()));
}

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<std::string> elf_with_btf(const std::string& path, const std::string& btf,
                                 const std::string& btf_base) {
  auto bytes = btf::read_file(path);
  if (!bytes) return bytes.error();
  Fd mem;
  mem.fd = ::memfd_create("btfcheck-elf", MFD_CLOEXEC);
  if (mem.fd < 0) return elf_err(path, std::string("memfd_create: ") + std::strerror(errno));
  if (::write(mem.fd, bytes->data(), bytes->size()) != static_cast<ssize_t>(bytes->size()))
    return elf_err(path, "cannot copy the input");
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(mem.fd, ELF_C_RDWR, nullptr);
  if (!elf || elf_kind(elf) != ELF_K_ELF) {
    if (elf) elf_end(elf);
    return elf_err(path, "not an ELF file");
  }
  struct Closer {
    Elf* e;
    ~Closer() { elf_end(e); }
  } closer{elf};
  elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);
  GElf_Ehdr eh;
  size_t shstrndx = 0;
  if (!gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx) != 0)
    return elf_err(path, "cannot read the ELF header");
  const bool is64 = gelf_getclass(elf) == ELFCLASS64;

  // The sections to write: .BTF, and .BTF.base for split BTF on a distilled base.
  struct Out {
    const char* name;
    const std::string* data;
    Elf_Scn* scn = nullptr;
  };
  std::vector<Out> outs{{".BTF", &btf}};
  if (!btf_base.empty()) outs.push_back({".BTF.base", &btf_base});
  uint64_t end = eh.e_ehsize;
  if (eh.e_phnum) end = std::max<uint64_t>(end, eh.e_phoff + uint64_t(eh.e_phnum) * eh.e_phentsize);
  for (Elf_Scn* s = elf_nextscn(elf, nullptr); s; s = elf_nextscn(elf, s)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(s, &sh)) continue;
    const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
    for (Out& o : outs)
      if (name && std::strcmp(name, o.name) == 0) o.scn = s;
    if (sh.sh_type != SHT_NOBITS) end = std::max<uint64_t>(end, sh.sh_offset + sh.sh_size);
  }

  std::vector<char> strtab;  // must outlive elf_update
  std::vector<size_t> name_offs(outs.size(), 0);
  bool grow = false;
  for (const Out& o : outs) grow |= o.scn == nullptr;
  if (grow) {
    Elf_Scn* str_scn = elf_getscn(elf, shstrndx);
    GElf_Shdr ssh;
    Elf_Data* sd = str_scn ? elf_getdata(str_scn, nullptr) : nullptr;
    if (!str_scn || !gelf_getshdr(str_scn, &ssh) || !sd)
      return elf_err(path, "cannot read .shstrtab");
    strtab.assign(static_cast<const char*>(sd->d_buf), static_cast<const char*>(sd->d_buf) + sd->d_size);
    for (size_t i = 0; i < outs.size(); ++i) {
      if (outs[i].scn) continue;
      name_offs[i] = strtab.size();
      strtab.insert(strtab.end(), outs[i].name, outs[i].name + std::strlen(outs[i].name) + 1);
    }
    sd->d_buf = strtab.data();
    sd->d_size = strtab.size();
    elf_flagdata(sd, ELF_C_SET, ELF_F_DIRTY);
    ssh.sh_offset = end;
    ssh.sh_size = strtab.size();
    end += strtab.size();
    gelf_update_shdr(str_scn, &ssh);
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    Out& o = outs[i];
    if (!o.scn) {
      o.scn = elf_newscn(elf);
      if (!o.scn) return elf_err(path, "cannot add a section");
      GElf_Shdr nsh{};
      nsh.sh_name = static_cast<GElf_Word>(name_offs[i]);
      nsh.sh_type = SHT_PROGBITS;
      nsh.sh_addralign = 4;
      gelf_update_shdr(o.scn, &nsh);
      Elf_Data* nd = elf_newdata(o.scn);
      if (!nd) return elf_err(path, "cannot add section data");
      nd->d_type = ELF_T_BYTE;
      nd->d_align = 4;
      nd->d_version = EV_CURRENT;
    }
    GElf_Shdr bsh;
    Elf_Data* bd = elf_getdata(o.scn, nullptr);
    if (!gelf_getshdr(o.scn, &bsh) || !bd) return elf_err(path, std::string("cannot read ") + o.name);
    bd->d_buf = const_cast<char*>(o.data->data());
    bd->d_size = o.data->size();
    bd->d_off = 0;
    elf_flagdata(bd, ELF_C_SET, ELF_F_DIRTY);
    bsh.sh_offset = align_up(end, 8);
    bsh.sh_size = o.data->size();
    bsh.sh_flags &= ~static_cast<GElf_Xword>(SHF_ALLOC);
    bsh.sh_addr = 0;
    end = bsh.sh_offset + o.data->size();
    gelf_update_shdr(o.scn, &bsh);
  }

  eh.e_shoff = align_up(end, is64 ? 8 : 4);
  gelf_update_ehdr(elf, &eh);
  elf_flagelf(elf, ELF_C_SET, ELF_F_DIRTY);
  if (elf_update(elf, ELF_C_WRITE) < 0) return elf_err(path, "elf_update failed");

  off_t size = ::lseek(mem.fd, 0, SEEK_END);
  if (size < 0) return elf_err(path, "cannot size the output");
  std::string out(static_cast<size_t>(size), '\0');
  if (::pread(mem.fd, out.data(), out.size(), 0) != size) return elf_err(path, "cannot read back the output");
  // elf_update never shrinks the file: cut what lies past the section header table.
  GElf_Ehdr now;
  if (gelf_getehdr(elf, &now)) {
    size_t shnum = 0;
    elf_getshdrnum(elf, &shnum);
    const uint64_t used = now.e_shoff + uint64_t(shnum) * now.e_shentsize;
    if (used < out.size()) out.resize(used);
  }
  return out;
}

}  // namespace btfcheck::encode
