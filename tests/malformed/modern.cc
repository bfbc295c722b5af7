// The "modern" family: what issue 13's inputs can get wrong.
//   target    an ELF whose class or byte order contradicts its .BTF (target.mismatch,
//             target.endian: violations, exit 1);
//   layout    a 32-byte header whose layout section is cut off by the end of the blob (the
//             parser stops: sec.past-end, exit 2 for every command that needs the types),
//             overlaps the strings, or describes the kinds wrongly (judged as bpf-next);
//   distilled a module whose .BTF.base is garbage, cut short, or holds a kind a distilled
//             base may not hold; a valid one relocated onto vmlinuxes that lack its types
//             (relocate.*), or judged as a release without distilled bases.
#include "tests/malformed/elf_writer.h"
#include "tests/malformed/suite.h"
#include "tests/unit/verify_test_util.h"

namespace btfcheck::malformed {
namespace {

using namespace btfcheck::testing;

// Bytes that are no BTF (no magic at the start).
std::vector<uint8_t> pseudo_bytes(size_t n) {
  std::vector<uint8_t> out(n);
  uint32_t x = 0x2545f491;
  for (uint8_t& b : out) {
    x = x * 1103515245u + 12345u;
    b = uint8_t(x >> 16);
  }
  out.at(0) = 0x42;
  return out;
}

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

// A module on a distilled base: .BTF.base [1] int, [2] STRUCT sk (8, memberless), and .BTF
// [3] STRUCT m {struct sk a; int b} embedding sk by value. `dist` may add to the base.
struct Distilled {
  Image base, split;
};
Distilled distilled(void (*more)(BtfBuilder&) = nullptr) {
  BtfBuilder b;
  b.add_int("int", 4, 32, kIntSigned);
  b.add_struct("sk", 8, {});
  if (more) more(b);
  Distilled d;
  d.base = b.build();
  auto parsed = d.base.parse();
  BtfBuilder s = BtfBuilder::split(**parsed);
  s.add_struct("m", 12, {{"a", 2, 0}, {"b", 1, 64}});
  d.split = s.build();
  return d;
}

std::vector<uint8_t> module(const Distilled& d) {
  return write_elf({{".BTF.base", d.base.bytes}, {".BTF", d.split.bytes}}).bytes;
}

// The vmlinux to relocate onto: int, then `sk` as `how` says.
std::vector<uint8_t> vmlinux(const std::string& how) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  if (how == "ok" || how == "two") b.add_struct("sk", 8, {{"x", i, 0}, {"y", i, 32}});
  if (how == "two") b.add_struct("sk", 8, {{"z", i, 0}});
  if (how == "union") b.add_union("sk", 8, {{"x", i, 0}});
  if (how == "size") b.add_struct("sk", 16, {{"x", i, 0}});
  return b.build().bytes;
}

void add_distilled(Suite& s) {
  const Distilled good = distilled();
  for (const std::string how : {"ok", "missing", "union", "size", "two"})
    s.add(make("reloc_vmlinux_" + how + ".btf", "a vmlinux for the distilled modules: sk " + how,
               "btf", "", "valid"),
          vmlinux(how));
  s.add(make("distilled_valid.ko", "a module whose .BTF is split on its .BTF.base", "elf", "",
             "valid"),
        module(good));
  {
    Entry e = make("distilled_valid.ko", "relocated onto a vmlinux with its types", "elf", "", "valid");
    e.base = "reloc_vmlinux_ok.btf";
    s.alias(e);
  }
  const std::pair<const char*, const char*> fails[] = {{"missing", "relocate.missing"},
                                                       {"union", "relocate.kind"},
                                                       {"size", "relocate.size"},
                                                       {"two", "relocate.ambiguous"}};
  for (const auto& [how, rule] : fails) {
    Entry e = make("distilled_valid.ko", std::string("relocated onto a vmlinux whose sk is ") + how,
                   "elf", rule, "invalid");
    e.base = std::string("reloc_vmlinux_") + how + ".btf";
    e.type_id = 2;
    s.alias(e);
  }
  {
    Entry e = make("distilled_valid.ko", "judged as 6.10, which has no distilled bases", "elf",
                   "base.distilled", "invalid");
    e.kernel = "6.10";
    e.base = "";
    // The same file under another role: alias() rejects a second (name, base) pair, so this
    // one is its own copy.
    e.name = "distilled_on_6_10.ko";
    s.add(e, module(good));
  }
  {
    Distilled d = good;
    d.split.set_word(3, 3 + 3, 2);   // member b's name: inside "int" of the distilled strings
    Entry e = make("distilled_bad_string.ko", "a split name offset into the distilled strings "
                   "that names no distilled type", "elf", "relocate.string", "invalid");
    e.base = "reloc_vmlinux_ok.btf";
    e.type_id = 3;
    s.add(e, module(d));
  }
  {
    Distilled d = distilled([](BtfBuilder& b) { b.add_ptr(1); });
    Entry e = make("distilled_base_ptr.ko", ".BTF.base holds a PTR", "elf", "distilled.kind", "invalid");
    e.type_id = 3;
    s.add(e, module(d));
  }
  {
    Distilled d = distilled([](BtfBuilder& b) { b.add_struct("", 4, {}); });
    Entry e = make("distilled_base_anon.ko", ".BTF.base holds an anonymous STRUCT", "elf",
                   "distilled.anon", "invalid");
    e.type_id = 3;
    s.add(e, module(d));
  }
  {
    Distilled d = good;
    d.base.bytes = pseudo_bytes(d.base.bytes.size());
    s.add(make("distilled_base_garbage.ko", ".BTF.base is garbage", "elf", "hdr.magic", "invalid"),
          module(d));
  }
  {
    Distilled d = good;
    d.base.bytes.resize(d.base.bytes.size() / 2);
    s.add(make("distilled_base_truncated.ko", ".BTF.base holds the first half of its blob", "elf",
               "sec.past-end", "invalid"),
          module(d));
  }
}

}  // namespace

void add_modern(Suite& s) {
  add_targets(s);
  add_layouts(s);
  add_distilled(s);
}

}  // namespace btfcheck::malformed
