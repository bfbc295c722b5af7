// --elf output: a copy of the input ELF whose .BTF section holds the new BTF.
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

Result<std::string> elf_with_btf(const std::string& path, const std::string& btf) {
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

  uint64_t end = eh.e_ehsize;
  if (eh.e_phnum) end = std::max<uint64_t>(end, eh.e_phoff + uint64_t(eh.e_phnum) * eh.e_phentsize);
  Elf_Scn* btf_scn = nullptr;
  for (Elf_Scn* s = elf_nextscn(elf, nullptr); s; s = elf_nextscn(elf, s)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(s, &sh)) continue;
    const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
    if (name && std::strcmp(name, ".BTF") == 0) btf_scn = s;
    if (sh.sh_type != SHT_NOBITS) end = std::max<uint64_t>(end, sh.sh_offset + sh.sh_size);
  }

  std::vector<char> strtab;  // must outlive elf_update
  if (!btf_scn) {
    Elf_Scn* str_scn = elf_getscn(elf, shstrndx);
    GElf_Shdr ssh;
    Elf_Data* sd = str_scn ? elf_getdata(str_scn, nullptr) : nullptr;
    if (!str_scn || !gelf_getshdr(str_scn, &ssh) || !sd)
      return elf_err(path, "cannot read .shstrtab");
    strtab.assign(static_cast<const char*>(sd->d_buf), static_cast<const char*>(sd->d_buf) + sd->d_size);
    const size_t name_off = strtab.size();
    const char kName[] = ".BTF";
    strtab.insert(strtab.end(), kName, kName + sizeof kName);
    sd->d_buf = strtab.data();
    sd->d_size = strtab.size();
    elf_flagdata(sd, ELF_C_SET, ELF_F_DIRTY);
    ssh.sh_offset = end;
    ssh.sh_size = strtab.size();
    end += strtab.size();
    gelf_update_shdr(str_scn, &ssh);

    btf_scn = elf_newscn(elf);
    if (!btf_scn) return elf_err(path, "cannot add a section");
    GElf_Shdr bsh{};
    bsh.sh_name = static_cast<GElf_Word>(name_off);
    bsh.sh_type = SHT_PROGBITS;
    bsh.sh_addralign = 4;
    gelf_update_shdr(btf_scn, &bsh);
    Elf_Data* bd = elf_newdata(btf_scn);
    if (!bd) return elf_err(path, "cannot add section data");
    bd->d_type = ELF_T_BYTE;
    bd->d_align = 4;
    bd->d_version = EV_CURRENT;
  }
  GElf_Shdr bsh;
  Elf_Data* bd = elf_getdata(btf_scn, nullptr);
  if (!gelf_getshdr(btf_scn, &bsh) || !bd) return elf_err(path, "cannot read .BTF");
  bd->d_buf = const_cast<char*>(btf.data());
  bd->d_size = btf.size();
  bd->d_off = 0;
  elf_flagdata(bd, ELF_C_SET, ELF_F_DIRTY);
  bsh.sh_offset = align_up(end, 8);
  bsh.sh_size = btf.size();
  bsh.sh_flags &= ~static_cast<GElf_Xword>(SHF_ALLOC);
  bsh.sh_addr = 0;
  end = bsh.sh_offset + btf.size();
  gelf_update_shdr(btf_scn, &bsh);

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
