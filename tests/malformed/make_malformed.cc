// make_malformed: writes the malformed-input suite (files + manifest.json, see suite.h) into
// a directory, for tests/e2e/test_malformed.py.
//   usage: btfcheck_make_malformed OUT_DIR
//
// Design: every file starts from a valid image (the every-kind image of the verify unit
// tests, or a small builder image) and breaks one thing: a verifier rule (the unit test's
// own case table, rule_cases.cc), the length (truncation at every header byte and at record
// boundaries), one header field, the ELF container, the archive framing, the split/base
// pairing; shapes.cc adds loops, deep chains, huge vlen, hostile strings and the
// synthetic million-type graph. Output is deterministic (no clocks, no randomness other
// than a fixed-seed generator), so a failing file can be named and regenerated.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/malformed/elf_writer.h"
#include "tests/malformed/rule_cases.h"
#include "tests/malformed/suite.h"
#include "tests/unit/verify_test_util.h"

namespace btfcheck::malformed {

// --- Suite --------------------------------------------------------------------------------

namespace {

std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += char(c);
    else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
    } else o += char(c);
  }
  return o + "\"";
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "make_malformed: %s\n", what.c_str());
  std::exit(2);
}

}  // namespace

void Suite::add(Entry e, const std::vector<uint8_t>& bytes) {
  const std::string path = dir_ + "/" + e.name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!f) die("cannot write " + path + ": " + std::strerror(errno));
  alias(std::move(e));
}

void Suite::alias(Entry e) {
  for (const Entry& x : entries_)
    if (x.name == e.name && x.base == e.base) die("duplicate entry " + e.name);
  entries_.push_back(std::move(e));
}

void Suite::write_manifest(const std::vector<std::string>& rules, const std::string& valid) const {
  std::string o = "{\n  \"valid\": " + json_str(valid) + ",\n  \"rules\": [";
  for (size_t i = 0; i < rules.size(); ++i) o += (i ? ", " : "") + json_str(rules[i]);
  o += "],\n  \"files\": [\n";
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    o += "    {\"name\": " + json_str(e.name) + ", \"group\": " + json_str(e.group) +
         ", \"input\": " + json_str(e.input) + ", \"tier\": " + json_str(e.tier) +
         ", \"rule\": " + json_str(e.rule) + ", \"type_id\": " + std::to_string(e.type_id) +
         ", \"base\": " + json_str(e.base) + ", \"expect\": " + json_str(e.expect) +
         ", \"dwarf\": " + json_str(e.dwarf) + ", \"note\": " + json_str(e.note) +
         ", \"kernel\": " + json_str(e.kernel) + "}" +
         (i + 1 < entries_.size() ? ",\n" : "\n");
  }
  o += "  ]\n}\n";
  std::ofstream f(dir_ + "/manifest.json", std::ios::trunc);
  f << o;
  if (!f) die("cannot write manifest.json");
}

namespace {

using namespace btfcheck::testing;
using HF = HeaderField;

Entry make(const std::string& name, const std::string& group, const std::string& note) {
  Entry e;
  e.name = name;
  e.group = group;
  e.note = note;
  return e;
}

Image valid_image(Endian e = Endian::Little) { return all_kinds().b.build(e); }

// --- every verifier rule, from the unit test's table ------------------------------------

void add_rules(Suite& s) {
  std::set<std::string> seen;
  for (const RuleImage& r : rule_images()) {
    std::string stem = "rule_" + r.rule + (r.big_endian ? "_be" : "");
    for (char& c : stem)
      if (c == '.' || c == '-') c = '_';
    Entry e = make(stem + ".btf", "rule", "verify rule " + r.rule + " broken once" +
                                              (r.big_endian ? " (big endian)" : ""));
    if (r.cli_reports) {
      e.rule = r.rule;
      e.type_id = r.type_id;
      e.kernel = r.kernel;
    }
    e.expect = "invalid";
    if (r.bytes.size() > (1u << 20)) e.tier = "huge";
    s.add(e, r.bytes);
  }
}

// --- truncation -----------------------------------------------------------------------------

void add_truncation(Suite& s) {
  for (Endian en : {Endian::Little, Endian::Big}) {
    const Image img = valid_image(en);
    const std::string sfx = en == Endian::Big ? "_be" : "";
    // Every length inside the 24-byte header (big endian: every field boundary).
    for (uint32_t len = 0; len < 24; ++len) {
      if (en == Endian::Big && len % 4 != 0 && len != 2 && len != 3) continue;
      std::vector<uint8_t> b(img.bytes.begin(), img.bytes.begin() + len);
      Entry e = make("trunc_hdr_" + std::to_string(len) + sfx + ".btf", "truncate",
                     "valid image cut to " + std::to_string(len) + " bytes (inside the header)");
      e.expect = "invalid";
      s.add(e, b);
    }
    // At and just after the first records, in the middle of the type section, inside and
    // at the end of the string section.
    std::vector<uint64_t> cuts;
    for (size_t r = 1; r < 8 && r < img.records.size(); ++r) {
      cuts.push_back(img.records[r]);
      cuts.push_back(img.records[r] + 6);
    }
    cuts.push_back(img.type_start + img.type_len / 2 + 1);
    cuts.push_back(img.str_start);
    cuts.push_back(img.str_start + img.str_len / 2);
    cuts.push_back(img.bytes.size() - 1);
    if (en == Endian::Big) cuts.resize(4);
    for (uint64_t c : cuts) {
      std::vector<uint8_t> b(img.bytes.begin(), img.bytes.begin() + c);
      Entry e = make("trunc_at_" + std::to_string(c) + sfx + ".btf", "truncate",
                     "valid image cut to " + std::to_string(c) + " of " +
                         std::to_string(img.bytes.size()) + " bytes");
      e.expect = "invalid";
      s.add(e, b);
    }
  }
}

// --- one header field ---------------------------------------------------------------------

void add_header(Suite& s) {
  struct H {
    const char* name;
    const char* rule;
    void (*patch)(Image&);
  };
  static const H kHeader[] = {
      {"magic_zero", "hdr.magic", [](Image& i) { i.set_header(HF::Magic, 0); }},
      {"magic_swapped", "", [](Image& i) { i.set_header(HF::Magic, 0x9feb); }},  // reads as the other byte order
      {"magic_elf", "hdr.magic", [](Image& i) { i.bytes[0] = 0x7f; i.bytes[1] = 'E'; }},
      {"version_0", "hdr.version", [](Image& i) { i.set_header(HF::Version, 0); }},
      {"version_ff", "hdr.version", [](Image& i) { i.set_header(HF::Version, 0xff); }},
      {"flags_80", "hdr.flags", [](Image& i) { i.set_header(HF::Flags, 0x80); }},
      {"hdr_len_0", "", [](Image& i) { i.set_header(HF::HdrLen, 0); }},
      {"hdr_len_4", "", [](Image& i) { i.set_header(HF::HdrLen, 4); }},
      {"hdr_len_8", "", [](Image& i) { i.set_header(HF::HdrLen, 8); }},
      {"hdr_len_23", "", [](Image& i) { i.set_header(HF::HdrLen, 23); }},
      {"hdr_len_25", "", [](Image& i) { i.set_header(HF::HdrLen, 25); }},
      {"hdr_len_2g", "hdr.len", [](Image& i) { i.set_header(HF::HdrLen, 0x7fffffff); }},
      {"hdr_len_max", "hdr.len", [](Image& i) { i.set_header(HF::HdrLen, 0xffffffff); }},
      {"type_off_max", "sec.past-end", [](Image& i) { i.set_header(HF::TypeOff, 0xffffffff); }},
      {"type_len_max", "sec.past-end", [](Image& i) { i.set_header(HF::TypeLen, 0xffffffff); }},
      {"str_off_max", "sec.past-end", [](Image& i) { i.set_header(HF::StrOff, 0xffffffff); }},
      {"str_len_max", "sec.past-end", [](Image& i) { i.set_header(HF::StrLen, 0xffffffff); }},
      {"type_wrap32", "", [](Image& i) { i.set_header(HF::TypeOff, 0xfffffff0); i.set_header(HF::TypeLen, 0x20); }},
      {"str_wrap32", "", [](Image& i) { i.set_header(HF::StrOff, 0xfffffff0); i.set_header(HF::StrLen, 0x20); }},
      {"type_len_odd", "", [](Image& i) { i.set_header(HF::TypeLen, i.header(HF::TypeLen) - 2); }},
      {"type_off_odd", "", [](Image& i) { i.set_header(HF::TypeOff, 2); }},
      {"sections_same", "", [](Image& i) { i.set_header(HF::StrOff, 0); i.set_header(HF::StrLen, i.header(HF::TypeLen)); }},
      {"str_in_types", "", [](Image& i) { i.set_header(HF::StrOff, 4); }},
      {"types_in_strings", "", [](Image& i) { i.set_header(HF::TypeOff, i.header(HF::StrOff)); i.set_header(HF::TypeLen, 8); }},
      {"type_len_0", "", [](Image& i) { i.set_header(HF::TypeLen, 0); }},
      {"str_len_0", "", [](Image& i) { i.set_header(HF::StrLen, 0); }},
      {"all_lens_0", "", [](Image& i) { i.set_header(HF::TypeLen, 0); i.set_header(HF::StrLen, 0); i.set_header(HF::StrOff, 0); }},
      {"types_after_strings", "", [](Image& i) {
         const uint32_t tl = i.header(HF::TypeLen), sl = i.header(HF::StrLen);
         i.set_header(HF::StrOff, 0); i.set_header(HF::TypeOff, sl); (void)tl; }},
  };
  for (Endian en : {Endian::Little, Endian::Big}) {
    for (const H& h : kHeader) {
      Image img = valid_image(en);
      h.patch(img);
      Entry e = make(std::string("hdr_") + h.name + (en == Endian::Big ? "_be" : "") + ".btf",
                     "header", std::string("one header field broken: ") + h.name);
      e.rule = en == Endian::Little ? h.rule : "";
      e.type_id = e.rule.empty() ? -1 : 0;
      e.expect = "invalid";
      s.add(e, img.bytes);
    }
  }
}

// --- ELF containers -------------------------------------------------------------------------

std::vector<uint8_t> pseudo_random(size_t n, uint64_t seed) {
  std::vector<uint8_t> out(n);
  uint64_t x = seed * 6364136223846793005ull + 1442695040888963407ull;
  for (auto& b : out) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    b = uint8_t(x >> 56);
  }
  return out;
}

void add_elf(Suite& s) {
  const std::vector<uint8_t> btf = valid_image().bytes;
  const std::vector<uint8_t> text(64, 0xc3);
  auto elf = [&](const std::string& name, const std::string& dwarf, const std::string& note,
                 const ElfImage& img, const std::string& expect = "") {
    Entry e = make(name + ".o", "elf", note);
    e.input = "elf";
    e.dwarf = dwarf;
    e.expect = expect;
    s.add(e, img.bytes);
  };
  const std::vector<uint8_t> garbage = pseudo_random(512, 7);
  // A DWARF 4 compile-unit header claiming a unit far longer than the section.
  std::vector<uint8_t> cu_huge = {0xf0, 0xff, 0xff, 0x7f, 4, 0, 0, 0, 0, 0, 8, 1, 0, 0};

  elf("elf_no_btf", "none", "ELF without .BTF (and without DWARF)",
      write_elf({{".text", text}}));
  elf("elf_no_btf_garbage_dwarf", "garbage", "ELF without .BTF, .debug_info/.debug_abbrev garbage",
      write_elf({{".text", text}, {".debug_info", garbage}, {".debug_abbrev", pseudo_random(64, 8)}}));
  elf("elf_btf_no_dwarf", "none", "ELF with a valid .BTF and no DWARF",
      write_elf({{".text", text}, {".BTF", btf}}), "valid");
  elf("elf_btf_garbage_dwarf", "garbage", "valid .BTF, .debug_info/.debug_abbrev garbage",
      write_elf({{".BTF", btf}, {".debug_info", garbage}, {".debug_abbrev", garbage}}), "valid");
  elf("elf_btf_dwarf_cu_huge", "garbage", "valid .BTF, a DWARF CU header with unit_length past the end",
      write_elf({{".BTF", btf}, {".debug_info", cu_huge}, {".debug_abbrev", {0}}}), "valid");
  {
    ElfImage img = write_elf({{".BTF", btf}});
    img.set_size(0, btf.size() + 4096);
    elf("elf_btf_size_past_end", "none", ".BTF's sh_size runs past the end of the file", img);
  }
  {
    ElfImage img = write_elf({{".BTF", btf}});
    img.set_offset(0, 0xffffffffull << 8);
    elf("elf_btf_offset_huge", "none", ".BTF's sh_offset far past the end", img);
  }
  {
    std::vector<uint8_t> cut(btf.begin(), btf.begin() + long(btf.size() / 2));
    elf("elf_btf_truncated_blob", "none", ".BTF holds the first half of a valid blob",
        write_elf({{".BTF", cut}}), "invalid");
  }
  {
    ElfImage img = write_elf({{".BTF", btf}});
    img.bytes.resize(img.layout.data_offset[0] + btf.size() / 2);
    elf("elf_file_truncated", "none", "the file ends in the middle of .BTF (no section headers)", img);
  }
  elf("elf_btf_nobits", "none", ".BTF is SHT_NOBITS", write_elf({{".BTF", btf, kShtNobits}}));
  elf("elf_btf_empty", "none", ".BTF of size 0", write_elf({{".BTF", {}}}), "invalid");
  elf("elf_btf_bad_magic", "none", ".BTF with random bytes", write_elf({{".BTF", garbage}}), "invalid");
  {
    ElfOptions o;
    o.is64 = false;
    elf("elf32_btf", "none", "ELF32 with a valid .BTF", write_elf({{".BTF", btf}}, o), "valid");
  }
  {
    ElfOptions o;
    o.big_endian = true;
    o.machine = 247;
    elf("elf_be_btf", "none", "big-endian ELF64 (EM_BPF) with a big-endian .BTF",
        write_elf({{".BTF", valid_image(Endian::Big).bytes}}, o), "valid");
  }
  {
    std::vector<uint8_t> two = btf;
    two.resize((two.size() + 7) / 8 * 8, 0);
    two.insert(two.end(), btf.begin(), btf.end());
    elf("elf_btf_archive", "none", ".BTF holding two concatenated blobs (ld -r)",
        write_elf({{".BTF", two}}));
  }
  elf("elf_two_btf", "none", "two sections named .BTF (the second garbage)",
      write_elf({{".BTF", btf}, {".BTF", garbage}}), "valid");
  {
    ElfImage img = write_elf({{".BTF", btf}});
    img.bytes.resize(40);
    elf("elf_header_cut", "none", "an ELF header cut to 40 bytes", img);
  }
  {
    ElfImage img = write_elf({{".BTF", btf}});
    img.put(img.layout.shoff_field, img.bytes.size() + 100, 8);
    elf("elf_shoff_past_end", "none", "e_shoff past the end of the file", img);
  }
  {
    ElfImage img = write_elf({{".BTF", btf}});
    img.put(img.layout.shnum_field, 0xfff0, 2);
    elf("elf_shnum_huge", "none", "e_shnum 65520 with 3 headers present", img);
  }
  {
    ElfImage img = write_elf({{".BTF", btf}});
    img.put(img.layout.shstrndx_field, 77, 2);
    elf("elf_shstrndx_bad", "none", "e_shstrndx names a section that does not exist", img);
  }
  {
    ElfImage img = write_elf({{".BTF", btf}});
    // The name table's sh_size cut to 2: ".BTF"'s name offset runs past it.
    img.set_size(1, 2);
    elf("elf_shstrtab_short", "none", "section name table too short for the names", img);
  }
}

// --- archives -------------------------------------------------------------------------------

void add_archives(Suite& s) {
  const std::vector<uint8_t> a = valid_image().bytes;
  BtfBuilder small;
  small.add_int("int", 4, 32, kIntSigned);
  const std::vector<uint8_t> b = small.bytes();
  auto pad8 = [](std::vector<uint8_t> v) { v.resize((v.size() + 7) / 8 * 8, 0); return v; };
  auto cat = [](std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> o;
    for (const auto& p : parts) o.insert(o.end(), p.begin(), p.end());
    return o;
  };
  auto arch = [&](const std::string& name, const std::string& note, const std::vector<uint8_t>& bytes,
                  const std::string& rule = "") {
    Entry e = make(name + ".btf", "archive", note);
    e.input = "archive";
    e.rule = rule;
    s.add(e, bytes);
  };
  arch("archive_two_ok", "two members, zero padded (valid as an archive)", cat({pad8(a), b}),
       "archive.multiple");
  arch("archive_garbage_between", "garbage bytes between two members",
       cat({pad8(a), {1, 2, 3, 4, 5, 6, 7, 8, 9}, b}), "archive.trailing");
  arch("archive_garbage_after", "a member then 100 random bytes", cat({pad8(a), pseudo_random(100, 3)}),
       "archive.trailing");
  arch("archive_partial_header", "a member then 6 bytes of a second header",
       cat({pad8(a), std::vector<uint8_t>(b.begin(), b.begin() + 6)}));
  arch("archive_second_truncated", "the second member cut in its type section",
       cat({pad8(a), std::vector<uint8_t>(b.begin(), b.begin() + 30)}));
  {
    std::vector<uint8_t> many;
    for (int k = 0; k < 64; ++k) many = cat({many, pad8(b)});
    arch("archive_64_members", "64 copies of a one-int blob", many);
  }
  arch("archive_mixed_endian", "a little-endian and a big-endian member",
       cat({pad8(a), valid_image(Endian::Big).bytes}));
  arch("archive_long_padding", "16 zero bytes between members (more than alignment)",
       cat({a, std::vector<uint8_t>(16, 0), b}), "archive.trailing");
  {
    Image bad = valid_image();
    bad.set_header(HF::StrLen, 0xffffff00);
    arch("archive_member_past_end", "second member's string section runs past the end",
         cat({pad8(a), bad.bytes}));
  }
}

// --- split BTF and bases --------------------------------------------------------------------

void add_split(Suite& s) {
  AllKinds k = all_kinds();
  const Image base = k.b.build();
  auto parsed = base.parse();
  if (!parsed) die("valid base does not parse: " + parsed.error().str());
  BtfBuilder sp = BtfBuilder::split(**parsed);
  uint32_t p = sp.add_ptr(k.s);
  uint32_t m = sp.add_struct("mod", 16, {{"x", k.td, 0}, {"p", p, 64}});
  sp.add_typedef("int_t", k.i32);
  sp.add_decl_tag("tag", m, 1);
  const std::vector<uint8_t> split = sp.bytes();

  Entry b = make("split_base.btf", "split", "a valid base BTF (every kind)");
  b.expect = "valid";
  s.add(b, base.bytes);
  Entry ok = make("split_ok.btf", "split", "valid split BTF on split_base.btf");
  ok.base = "split_base.btf";
  ok.expect = "valid";
  s.add(ok, split);
  Entry alone = make("split_ok.btf", "split", "split BTF read without its base");
  alone.expect = "invalid";
  s.alias(alone);

  BtfBuilder tiny;
  tiny.add_int("int", 4, 32, kIntSigned);
  s.add(make("split_tiny_base.btf", "split", "a one-INT base"), tiny.bytes());
  Entry wrong = make("split_ok.btf", "split", "split BTF on the wrong (too small) base");
  wrong.base = "split_tiny_base.btf";
  wrong.expect = "invalid";
  s.alias(wrong);
  Entry on_trunc = make("split_ok.btf", "split", "split BTF on a truncated base");
  on_trunc.base = "trunc_hdr_12.btf";
  s.alias(on_trunc);
  Entry on_elf = make("split_ok.btf", "split", "split BTF on an ELF without .BTF as base");
  on_elf.base = "elf_no_btf.o";
  s.alias(on_elf);
  Entry on_split = make("split_ok.btf", "split", "split BTF on a base that is itself split");
  on_split.base = "split_ok.btf";
  s.alias(on_split);
  Entry on_loop = make("split_ok.btf", "split", "split BTF on a base with a typedef loop");
  on_loop.base = "loop_typedef_pair.btf";
  s.alias(on_loop);

  BtfBuilder bad = BtfBuilder::split(**parsed);
  bad.add_ptr(99999);
  uint32_t t = bad.add_typedef("x", k.i32);
  Image bi = bad.build();
  bi.set_word(t, 0, (*parsed)->str_end() + 5000);
  Entry e = make("split_bad_refs.btf", "split", "split BTF with a missing type and a name past its strings");
  e.base = "split_base.btf";
  e.expect = "invalid";
  s.add(e, bi.bytes);
}

// --- anything else --------------------------------------------------------------------------

void add_misc(Suite& s) {
  auto misc = [&](const std::string& name, const std::string& note, const std::vector<uint8_t>& b,
                  const std::string& expect = "invalid") {
    Entry e = make(name, "misc", note);
    e.expect = expect;
    s.add(e, b);
  };
  misc("valid.btf", "the valid every-kind image (the B of every diff)", valid_image().bytes, "valid");
  misc("valid_be.btf", "the same image big endian", valid_image(Endian::Big).bytes, "valid");
  misc("empty.btf", "an empty file", {});
  misc("one_byte.btf", "one byte", {0x9f});
  misc("magic_only.btf", "the two magic bytes", {0x9f, 0xeb});
  misc("zeros_64.btf", "64 zero bytes", std::vector<uint8_t>(64, 0));
  misc("ff_4k.btf", "4 KiB of 0xff", std::vector<uint8_t>(4096, 0xff));
  misc("text.btf", "a text file", {'h', 'e', 'l', 'l', 'o', '\n'});
  for (uint64_t seed : {1, 2, 3})
    misc("random_" + std::to_string(seed) + ".btf", "4 KiB of pseudo-random bytes",
         pseudo_random(4096, seed));
  {  // libbpf's dedup visits FWD's type word as an id (found by fuzz_archive).
    AllKinds k = all_kinds();
    Image img = k.b.build();
    img.set_word(k.fwd, 2, 0x00ffffff);
    Entry e = make("fwd_type_huge.btf", "misc", "FWD whose type word is a huge id");
    e.rule = "fwd.type";
    e.type_id = k.fwd;
    e.expect = "invalid";
    s.add(e, img.bytes);
  }
  {
    std::vector<uint8_t> b = pseudo_random(4096, 9);
    const std::vector<uint8_t> v = valid_image().bytes;
    std::copy(v.begin(), v.begin() + 24, b.begin());
    misc("random_with_header.btf", "a valid header over random records", b);
  }
}

}  // namespace
}  // namespace btfcheck::malformed

int main(int argc, char** argv) {
  using namespace btfcheck::malformed;
  if (argc != 2) {
    std::fprintf(stderr, "usage: btfcheck_make_malformed OUT_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "make_malformed: cannot create %s: %s\n", dir.c_str(), std::strerror(errno));
    return 2;
  }
  Suite s(dir);
  add_misc(s);
  add_rules(s);
  add_truncation(s);
  add_header(s);
  add_elf(s);
  add_archives(s);
  add_vlen(s);
  add_loops(s);
  add_chains(s);
  add_strings(s);
  add_split(s);
  add_synth(s);
  add_modern(s);
  s.write_manifest(rule_ids(), "valid.btf");
  std::printf("make_malformed: %zu entries in %s\n", s.size(), dir.c_str());
  return 0;
}
