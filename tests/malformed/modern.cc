// The "modern" family: what issue 13's inputs can get wrong.
//   target    an ELF whose class or byte order contradicts its .BTF (target.mismatch,
//             target.endian: violations, exit 1);
//   layout    a 32-byte header whose layout section is cut off by the end of the blob (the
//             parser stops: sec.past-end, exit 2 for every command that needs the types),
//             overlaps the strings, or describes the kinds wrongly (judged as bpf-next);
//   distilled a module whose .BTF.base is garbage, cut short, or holds a kind a distilled
//             base may not hold.
#include "tests/malformed/elf_writer.h"
#include "tests/malformed/suite.h"
#include "tests/unit/verify_test_util.h"

namespace btfcheck::malformed {
namespace {

using namespace btfcheck::testing;

Entry make(const std::string& name, const std::string& note, const std::string& input,
           const std::string& rule, const std::string& expect) {
  Entry e;
  e.name = name;
  e.group = "modern";
  e.note = note;
  e.input = input;
  e.rule = rule;
  e.expect = expect;
  e.dwarf = input == "elf" ? "none" : "";
  return e;
}

// The valid all-kinds image plus `long int` of `long_size` bytes.
Image with_long(uint32_t long_size, Endian endian = Endian::Little) {
  AllKinds k = all_kinds();
  k.b.add_int("long int", long_size, 8 * long_size, kIntSigned);
  return k.b.build(endian);
}

// One INT, a 32-byte header and a layout section between types and strings.
Image with_layout() {
  BtfBuilder b;
  b.add_int("int", 4, 32, kIntSigned);
  return insert_layout(b.build(Endian::Little, Layout{btf::kLayoutHeaderSize}));
}

void add_targets(Suite& s) {
  {
    ElfOptions o;
    o.is64 = false;
    o.machine = 3;  // EM_386
    Entry e = make("target_elf32_long8.o", "ELF32 (i386) whose .BTF has an 8-byte long", "elf",
                   "target.mismatch", "invalid");
    s.add(e, write_elf({{".BTF", with_long(8).bytes}}, o).bytes);
  }
  {
    Entry e = make("target_elf32_long4.o", "ELF32 (i386) whose .BTF has a 4-byte long", "elf",
                   "", "valid");
    ElfOptions o;
    o.is64 = false;
    o.machine = 3;
    s.add(e, write_elf({{".BTF", with_long(4).bytes}}, o).bytes);
  }
  {
    ElfOptions o;
    o.big_endian = true;
    o.machine = 22;  // EM_S390
    Entry e = make("target_elf_be_btf_le.o", "big-endian ELF64 (s390x) with a little-endian .BTF",
                   "elf", "target.endian", "invalid");
    s.add(e, write_elf({{".BTF", with_long(8).bytes}}, o).bytes);
  }
}

void add_layouts(Suite& s) {
  {
    Image img = with_layout();
    img.set_u32(28, uint32_t(img.bytes.size()));
    Entry e = make("layout_past_end.btf", "layout_len runs past the end of the blob",
                   "btf", "sec.past-end", "invalid");
    s.add(e, img.bytes);
  }
  {
    Image img = with_layout();
    img.bytes.resize(layout_entry(img, btf::kMaxKnownKind) + 2);
    Entry e = make("layout_truncated.btf", "the blob ends 2 bytes into the layout's last entry",
                   "btf", "sec.past-end", "invalid");
    s.add(e, img.bytes);
  }
  {
    Image img = with_layout();
    img.set_u32(24, img.u32(24) + 4);
    Entry e = make("layout_overlaps_strings.btf", "the layout section runs 4 bytes into the strings",
                   "btf", "sec.overlap", "invalid");
    e.kernel = "next";
    s.add(e, img.bytes);
  }
  {
    Image img = with_layout();
    img.set_u8(layout_entry(img, uint32_t(Kind::Struct)) + 1, 16);
    Entry e = make("layout_entry_wrong.btf", "the layout says a STRUCT member is 16 bytes",
                   "btf", "layout.entry", "invalid");
    e.kernel = "next";
    s.add(e, img.bytes);
  }
  {
    Entry e = make("layout_valid.btf", "a correct layout section", "btf", "", "valid");
    e.kernel = "next";
    s.add(e, with_layout().bytes);
  }
}

}  // namespace

void add_modern(Suite& s) {
  add_targets(s);
  add_layouts(s);
}

}  // namespace btfcheck::malformed
