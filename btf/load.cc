#include "btf/load.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "btf/relocate.h"

namespace btfcheck::btf {
namespace {

constexpr const char kDistilledBaseSection[] = ".BTF.base";

bool is_elf(std::span<const uint8_t> b) {
  return b.size() >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
}

struct Fd {
  int fd;
  ~Fd() { if (fd >= 0) ::close(fd); }
};

// An ELF opened through libelf (mmap'd, so only the sections used are read, not a 600 MB
// vmlinux); section data stays valid while it lives.
struct ElfHold {
  Fd fd;
  Elf* elf = nullptr;
  ~ElfHold() { if (elf) elf_end(elf); }
};

// Every reader goes through the whole section: its pages are mapped in one call rather
// than one fault each (a 61 MB archive: 15k pages, ~950 faults with fault-around, each
// costly in a VM). Advice only: a kernel without MADV_POPULATE_READ (< 5.14) faults them.
void prefault(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(bytes.data()) & ~(page - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(bytes.data()) + bytes.size();
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_READ);
}

// The named section's bytes, viewed in place in the mapped file.
Result<View> elf_section(int fd_in, const std::string& path, const std::string& name) {
  auto hold = std::make_shared<ElfHold>();
  hold->fd.fd = fd_in;
  if (elf_version(EV_CURRENT) == EV_NONE)
    return file_error(path, "elf.libelf", "libelf initialisation failed");
  hold->elf = elf_begin(fd_in, ELF_C_READ_MMAP, nullptr);
  Elf* elf = hold->elf;
  if (!elf) return file_error(path, "elf.malformed", std::string("not a valid ELF: ") + elf_errmsg(-1));
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0)
    return file_error(path, "elf.malformed", std::string("no section name table: ") + elf_errmsg(-1));
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    const char* sname = elf_strptr(elf, shstrndx, sh.sh_name);
    if (!sname || name != sname) continue;
    Error bad = file_error(path, "elf.malformed", "section " + name + " cannot be read");
    bad.section = name;
    if (sh.sh_type == SHT_NOBITS) return bad;
    Elf_Data* d = elf_rawdata(scn, nullptr);
    if (!d || (d->d_size && !d->d_buf)) {
      bad.message += std::string(": ") + elf_errmsg(-1);
      return bad;
    }
    View v;
    v.bytes = std::span<const uint8_t>(static_cast<const uint8_t*>(d->d_buf), d->d_size);
    prefault(v.bytes);
    if (GElf_Ehdr eh; gelf_getehdr(elf, &eh))
      v.target = elf_target(eh.e_ident[EI_CLASS], eh.e_ident[EI_DATA], eh.e_machine);
    v.keep = std::move(hold);
    v.file = path;
    v.section = name;
    v.from_elf = true;
    return v;
  }
  return file_error(path, "elf.no-btf", "ELF file has no " + name + " section");
}

Result<std::vector<uint8_t>> read_all(int fd, const std::string& path) {
  std::vector<uint8_t> out;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) out.reserve(size_t(st.st_size));
  uint8_t buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return file_error(path, "io.read", std::strerror(errno));
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> read_file(const std::string& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return file_error(path, "io.open", std::strerror(errno));
  return read_all(f.fd, path);
}

Result<View> load_view(const std::string& path, const std::string& elf_section_name) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return file_error(path, "io.open", std::strerror(errno));
  uint8_t magic[4] = {0, 0, 0, 0};
  ssize_t n = ::pread(f.fd, magic, sizeof magic, 0);
  if (n == 4 && is_elf(magic)) {
    const int fd = f.fd;
    f.fd = -1;   // elf_section's holder closes it
    return elf_section(fd, path, elf_section_name);
  }
  auto data = read_all(f.fd, path);
  if (!data) return data.error();
  auto owned = std::make_shared<const std::vector<uint8_t>>(std::move(*data));
  View v;
  v.bytes = *owned;
  v.keep = std::move(owned);
  v.file = path;
  return v;
}

Result<Blob> load_blob(const std::string& path, const std::string& elf_section_name) {
  auto v = load_view(path, elf_section_name);
  if (!v) return v.error();
  Blob b;
  b.bytes.assign(v->bytes.begin(), v->bytes.end());
  b.file = v->file;
  b.section = v->section;
  b.from_elf = v->from_elf;
  b.target = v->target;
  return b;
}

Result<std::vector<ArchiveMember>> split_archive(std::span<const uint8_t> bytes,
                                                 const std::string& file,
                                                 const std::string& section) {
  std::vector<ArchiveMember> out;
  uint64_t off = 0;
  while (off < bytes.size()) {
    auto endian = detect_endian(bytes.subspan(off));
    Error e;
    e.file = file;
    e.section = section;
    e.offset = off;
    if (!endian) {
      e.rule = out.empty() ? "hdr.magic" : "archive.trailing";
      e.message = out.empty() ? "Invalid magic"
                              : "bytes after archive member " + std::to_string(out.size()) +
                                    " are neither padding nor a BTF header";
      return e;
    }
    ByteReader r(bytes.subspan(off), *endian);
    auto hdr_len = r.u32(4), toff = r.u32(8), tlen = r.u32(12), soff = r.u32(16),
         slen = r.u32(20);
    if (!hdr_len || !toff || !tlen || !soff || !slen || *hdr_len < 24) {
      e.rule = "hdr.truncated";
      e.message = "archive member " + std::to_string(out.size()) + ": header truncated";
      return e;
    }
    uint64_t end = uint64_t(*hdr_len) +
                   std::max(uint64_t(*toff) + *tlen, uint64_t(*soff) + *slen);
    // A 32-byte header's layout section (btf.h) may be the last section.
    auto loff = r.u32(24), llen = r.u32(28);
    if (*hdr_len >= kLayoutHeaderSize && loff && llen && *llen)
      end = std::max(end, uint64_t(*hdr_len) + *loff + *llen);
    if (end > bytes.size() - off) {
      e.rule = "sec.past-end";
      e.message = "archive member " + std::to_string(out.size()) + " needs " +
                  std::to_string(end) + " bytes, " + std::to_string(bytes.size() - off) +
                  " left";
      return e;
    }
    out.push_back({off, end});
    off += end;
    // Linkers pad input sections to their alignment with zeros.
    uint64_t pad = 0;
    while (off + pad < bytes.size() && bytes[off + pad] == 0 && pad < 8) ++pad;
    if (off + pad == bytes.size()) break;   // trailing padding only
    off += pad;
  }
  if (out.empty()) {
    Error e;
    e.file = file;
    e.section = section;
    e.offset = 0;
    e.rule = "hdr.truncated";
    e.message = "empty BTF data";
    return e;
  }
  return out;
}

Result<std::optional<Target>> blob_target(const std::string& path,
                                          const std::optional<Target>& container,
                                          const std::optional<Target>& option) {
  if (!container) return option;
  if (option && (option->ptr_size != container->ptr_size || option->endian != container->endian))
    return file_error(path, "target.option",
                      "--target " + target_spec(*option) + " contradicts the ELF header: " +
                          describe(*container));
  return container;
}

Result<std::vector<std::shared_ptr<const Btf>>> open_archive(const std::string& path,
                                                             std::shared_ptr<const Btf> base,
                                                             const std::optional<Target>& target) {
  auto blob = load_blob(path);
  if (!blob) return blob.error();
  auto t = blob_target(path, blob->target, target);
  if (!t) return t.error();
  auto members = split_archive(blob->bytes, blob->file, blob->section);
  if (!members) return members.error();
  std::vector<std::shared_ptr<const Btf>> out;
  for (const ArchiveMember& m : *members) {
    std::vector<uint8_t> bytes(blob->bytes.begin() + m.offset,
                               blob->bytes.begin() + m.offset + m.size);
    ParseOptions po{blob->file, blob->section, base, *t};
    if (members->size() > 1)
      po.section = (blob->section.empty() ? std::string("archive") : blob->section) + "#" +
                   std::to_string(out.size());
    auto b = Btf::parse(std::move(bytes), po);
    if (!b) {
      Error e = b.error();
      if (e.offset) *e.offset += m.offset;
      return e;
    }
    out.push_back(*b);
  }
  return out;
}

Result<std::optional<Blob>> load_distilled_base(const std::string& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return file_error(path, "io.open", std::strerror(errno));
  uint8_t magic[4] = {0, 0, 0, 0};
  if (::pread(f.fd, magic, sizeof magic, 0) != 4 || !is_elf(magic)) return std::optional<Blob>();
  const int fd = f.fd;
  f.fd = -1;   // elf_section's holder closes it
  auto v = elf_section(fd, path, kDistilledBaseSection);
  if (!v) {
    if (v.error().rule == "elf.no-btf") return std::optional<Blob>();
    return v.error();
  }
  Blob b;
  b.bytes.assign(v->bytes.begin(), v->bytes.end());
  b.file = v->file;
  b.section = v->section;
  b.from_elf = true;
  b.target = v->target;
  return std::optional<Blob>(std::move(b));
}

Result<std::optional<std::shared_ptr<const Btf>>> open_distilled(
    const std::string& path, const std::optional<Target>& target) {
  using Out = std::optional<std::shared_ptr<const Btf>>;
  auto dist = load_distilled_base(path);
  if (!dist) return dist.error();
  if (!*dist) return Out();
  auto blob = load_blob(path);
  if (!blob) return blob.error();
  auto t = blob_target(path, blob->target, target);
  if (!t) return t.error();
  auto d = Btf::parse(std::move((*dist)->bytes), ParseOptions{(*dist)->file, (*dist)->section, nullptr, *t});
  if (!d) return d.error();
  auto split = Btf::parse(std::move(blob->bytes), ParseOptions{blob->file, blob->section, *d, *t});
  if (!split) return split.error();
  return Out(*split);
}

Result<std::shared_ptr<const Btf>> open_btf(const std::string& path,
                                            std::shared_ptr<const Btf> base,
                                            const std::optional<Target>& target) {
  auto blob = load_blob(path);
  if (!blob) return blob.error();
  auto t = blob_target(path, blob->target, target);
  if (!t) return t.error();
  if (blob->from_elf) {   // a module on a distilled base: on it, or relocated onto `base`
    auto on_dist = open_distilled(path, target);
    if (!on_dist) return on_dist.error();
    if (*on_dist && !base) return **on_dist;
    if (*on_dist) {
      Relocation r = relocate(***on_dist, base);
      if (!r.btf) return relocation_error(r.findings, base->file());
      return r.btf;
    }
  }
  auto members = split_archive(blob->bytes, blob->file, blob->section);
  if (members && members->size() > 1) {
    Error e;
    e.rule = "archive.multiple";
    e.file = path;
    e.section = blob->section;
    e.message = "input is a BTF archive of " + std::to_string(members->size()) +
                " concatenated blobs; use --archive or `btfcheck encode archive`";
    return e;
  }
  return Btf::parse(std::move(blob->bytes), ParseOptions{blob->file, blob->section, base, *t});
}

std::string write_file(const std::string& path, std::span<const uint8_t> bytes) {
  std::string tmp = path + ".tmp.XXXXXX";
  std::vector<char> name(tmp.begin(), tmp.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) return path + ": cannot create temporary file: " + std::strerror(errno);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string err = path + ": write failed: " + std::strerror(errno);
      ::close(fd);
      ::unlink(name.data());
      return err;
    }
    done += size_t(n);
  }
  ::fchmod(fd, 0644);
  if (::close(fd) != 0 || ::rename(name.data(), path.c_str()) != 0) {
    std::string err = path + ": " + std::strerror(errno);
    ::unlink(name.data());
    return err;
  }
  return "";
}

}  // namespace btfcheck::btf
