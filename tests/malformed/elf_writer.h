// A minimal ELF writer for the malformed-input suite: an ELF header, the given sections'
// bytes, a section name table and the section header table, in either class (32/64) and
// byte order. No program headers, no symbols unless a caller passes them as a section.
// Every header field that a malformed case wants to break can be overridden afterwards
// through the returned layout (offsets of the fields), so the writer itself stays simple
// and always produces a well-formed file first.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace btfcheck::malformed {

constexpr uint32_t kShtProgbits = 1, kShtNobits = 8;

struct ElfSection {
  std::string name;
  std::vector<uint8_t> data;
  uint32_t type = kShtProgbits;
};

struct ElfOptions {
  bool is64 = true;
  bool big_endian = false;
  uint16_t machine = 62;   // EM_X86_64 (247 = EM_BPF)
};

// Where the fields a test corrupts live in the written file.
struct ElfLayout {
  uint64_t shoff_field = 0;       // e_shoff
  uint64_t shnum_field = 0;       // e_shnum (2 bytes)
  uint64_t shstrndx_field = 0;    // e_shstrndx (2 bytes)
  uint64_t shdr_table = 0;        // first section header
  uint64_t shdr_size = 0;         // bytes per section header
  std::vector<uint64_t> data_offset;   // per given section: where its bytes start
};

class ElfImage {
 public:
  std::vector<uint8_t> bytes;
  ElfLayout layout;
  ElfOptions opts;

  void put(uint64_t off, uint64_t v, unsigned width) {
    if (bytes.size() < off + width) bytes.resize(off + width, 0);
    for (unsigned i = 0; i < width; ++i) {
      const unsigned shift = 8 * (opts.big_endian ? width - 1 - i : i);
      bytes[off + i] = uint8_t(v >> shift);
    }
  }
  unsigned word() const { return opts.is64 ? 8 : 4; }
  // Header of section `i` of the given list (index 0 of the list is ELF section 1).
  uint64_t shdr(size_t i) const { return layout.shdr_table + (i + 1) * layout.shdr_size; }
  // sh_size / sh_offset of a given section.
  void set_size(size_t i, uint64_t v) { put(shdr(i) + (opts.is64 ? 32 : 20), v, word()); }
  void set_offset(size_t i, uint64_t v) { put(shdr(i) + (opts.is64 ? 24 : 16), v, word()); }
};

inline ElfImage write_elf(const std::vector<ElfSection>& sections, const ElfOptions& o = {}) {
  ElfImage img;
  img.opts = o;
  const unsigned w = o.is64 ? 8 : 4;
  const uint64_t ehdr = o.is64 ? 64 : 52;
  const uint64_t shsz = o.is64 ? 64 : 40;
  auto align = [](uint64_t v, uint64_t a) { return (v + a - 1) / a * a; };

  std::string shstr(1, '\0');
  std::vector<uint32_t> name_off;
  for (const ElfSection& s : sections) {
    name_off.push_back(uint32_t(shstr.size()));
    shstr += s.name;
    shstr.push_back('\0');
  }
  const uint32_t shstr_name = uint32_t(shstr.size());
  shstr += ".shstrtab";
  shstr.push_back('\0');

  uint64_t off = ehdr;
  img.bytes.assign(ehdr, 0);
  for (const ElfSection& s : sections) {
    off = align(off, 8);
    img.layout.data_offset.push_back(off);
    if (s.type != kShtNobits) {
      img.bytes.resize(off, 0);
      img.bytes.insert(img.bytes.end(), s.data.begin(), s.data.end());
      off += s.data.size();
    }
  }
  const uint64_t shstr_off = off;
  img.bytes.resize(off, 0);
  img.bytes.insert(img.bytes.end(), shstr.begin(), shstr.end());
  off = align(off + shstr.size(), 8);
  img.bytes.resize(off, 0);
  const uint64_t table = off;
  const uint64_t shnum = sections.size() + 2;
  img.bytes.resize(table + shnum * shsz, 0);

  // e_ident
  const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', uint8_t(o.is64 ? 2 : 1),
                             uint8_t(o.big_endian ? 2 : 1), 1, 0};
  std::memcpy(img.bytes.data(), ident, 16);
  img.put(16, 1, 2);                       // e_type ET_REL
  img.put(18, o.machine, 2);               // e_machine
  img.put(20, 1, 4);                       // e_version
  // e_entry, e_phoff stay 0
  const uint64_t shoff_field = 16 + 2 + 2 + 4 + 2 * w;
  img.put(shoff_field, table, w);          // e_shoff
  const uint64_t flags_field = shoff_field + w;
  img.put(flags_field + 4, ehdr, 2);       // e_ehsize
  img.put(flags_field + 10, shsz, 2);      // e_shentsize (after e_phentsize, e_phnum)
  img.put(flags_field + 12, shnum, 2);     // e_shnum
  img.put(flags_field + 14, shnum - 1, 2); // e_shstrndx
  img.layout.shoff_field = shoff_field;
  img.layout.shnum_field = flags_field + 12;
  img.layout.shstrndx_field = flags_field + 14;
  img.layout.shdr_table = table;
  img.layout.shdr_size = shsz;

  // Section headers: sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link,
  // sh_info, sh_addralign, sh_entsize.
  auto put_shdr = [&](uint64_t i, uint32_t name, uint32_t type, uint64_t data_off,
                      uint64_t size) {
    const uint64_t h = table + i * shsz;
    img.put(h, name, 4);
    img.put(h + 4, type, 4);
    const uint64_t after_flags_addr = h + 8 + 2 * w;
    img.put(after_flags_addr, data_off, w);
    img.put(after_flags_addr + w, size, w);
    img.put(after_flags_addr + 2 * w + 8, 1, w);   // sh_addralign
  };
  for (size_t i = 0; i < sections.size(); ++i)
    put_shdr(i + 1, name_off[i], sections[i].type, img.layout.data_offset[i],
             sections[i].data.size());
  put_shdr(shnum - 1, shstr_name, 3 /* SHT_STRTAB */, shstr_off, shstr.size());
  return img;
}

}  // namespace btfcheck::malformed
