// The per-rule negative images shared by verify_rules_test.cc and the malformed-input
// suite's generator (tests/malformed/rule_cases.cc): for every verifier rule, a valid
// builder image and the same image with exactly one field corrupted. A case added here is
// a unit test and a malformed file on the next build.
#include "tests/unit/verify_rule_cases.h"

#include "btf/target.h"
#include "comparator/verify/releases.h"

namespace btfcheck::testing {
namespace {
using HF = HeaderField;

// good == bad until the caller corrupts `bad`.
Neg same(const BtfBuilder& b, uint32_t id = 0, const Layout& layout = {}) {
  Neg n;
  n.good = b.build(Endian::Little, layout);
  n.bad = n.good;
  n.type_id = id;
  return n;
}

BtfBuilder one_int(uint32_t* id) {
  BtfBuilder b;
  *id = b.add_int("int", 4, 32, kIntSigned);
  return b;
}

// [1] int, [2] VAR a, [3] VAR b, [4] DATASEC .data {a @0 size 4, b @4 size 4}; DATASEC words:
// 2 size, then per entry type/offset/size at 3+3i, 4+3i, 5+3i.
BtfBuilder two_var_sec() {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  uint32_t a = b.add_var("a", i), c = b.add_var("b", i);
  b.add_datasec(".data", 8, {{a, 0, 4}, {c, 4, 4}});
  return b;
}

// [1] long int (size 4 or 8): the BTF's sizeof(long), which a container's class contradicts.
BtfBuilder with_long(uint32_t size, uint32_t* id) {
  BtfBuilder b;
  *id = b.add_int("long int", size, 8 * size, kIntSigned);
  return b;
}

// A 32-byte header (bpf-next 2026) and a layout section between types and strings, judged
// as bpf-next (the only release that reads it).
Neg with_layout() {
  uint32_t i;
  Neg n = same(one_int(&i), 0, Layout{btf::kLayoutHeaderSize});
  n.good = insert_layout(n.good);
  n.bad = n.good;
  n.opts = verify::options_for(verify::Kernel{0, 0, 0, true});
  return n;
}

}  // namespace

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      // --- framing ---------------------------------------------------------------------
      {"hdr.truncated", [] { uint32_t i; Neg n = same(one_int(&i)); n.bad.bytes.resize(6); return n; }},
      {"hdr.magic", [] { uint32_t i; Neg n = same(one_int(&i)); n.bad.set_header(HF::Magic, 0x1234); return n; }},
      {"hdr.len", [] {
         uint32_t i; Neg n = same(one_int(&i));
         n.bad.set_header(HF::HdrLen, uint32_t(n.bad.bytes.size() + 8));
         return n; }},
      {"sec.past-end", [] {
         uint32_t i; Neg n = same(one_int(&i));
         n.bad.set_header(HF::StrLen, n.bad.header(HF::StrLen) + 100);
         return n; }},
      {"type.truncated", [] {
         BtfBuilder b; b.add_int("int", 4, 32); uint32_t j = b.add_int("long", 8, 64);
         Neg n = same(b, j);
         n.bad.set_header(HF::TypeLen, n.bad.header(HF::TypeLen) - 4);
         return n; }},
      {"type.kind-unknown", [] {
         uint32_t i; Neg n = same(one_int(&i), 1);
         n.bad.set_word(i, 1, btf::make_info(25, 0, false));
         return n; }},
      // --- header and sections ---------------------------------------------------------
      {"blob.size", [] {
         uint32_t i; BtfBuilder b = one_int(&i); Neg n = same(b);
         b.append_string_bytes(std::string(16u << 20, 'a') + '\0');
         n.bad = b.build();
         return n; }},
      {"hdr.short", [] {
         uint32_t i; BtfBuilder b = one_int(&i); Neg n = same(b);
         n.bad = b.build(Endian::Little, Layout{16});
         return n; }},
      {"hdr.unsupported", [] {
         uint32_t i; Neg n = same(one_int(&i), 0, Layout{32});
         n.bad.bytes[28] = 1;
         return n; }},
      {"hdr.version", [] { uint32_t i; Neg n = same(one_int(&i)); n.bad.set_header(HF::Version, 2); return n; }},
      {"hdr.flags", [] { uint32_t i; Neg n = same(one_int(&i)); n.bad.set_header(HF::Flags, 1); return n; }},
      {"hdr.no-data", [] {
         uint32_t i; Neg n = same(one_int(&i));
         n.bad.bytes.resize(24);
         n.bad.set_header(HF::TypeLen, 0);
         n.bad.set_header(HF::StrOff, 0);
         n.bad.set_header(HF::StrLen, 0);
         return n; }},
      {"sec.gap", [] {
         uint32_t i; BtfBuilder b = one_int(&i); Neg n = same(b);
         n.bad = b.build(Endian::Little, Layout{24, 4});
         return n; }},
      {"sec.overlap", [] {
         uint32_t i; Neg n = same(one_int(&i));
         n.bad.set_header(HF::StrOff, n.bad.header(HF::StrOff) - 4);
         n.bad.set_header(HF::StrLen, n.bad.header(HF::StrLen) + 4);
         return n; }},
      {"sec.trailing", [] {
         uint32_t i; BtfBuilder b = one_int(&i); Neg n = same(b);
         n.bad = b.build(Endian::Little, Layout{24, 0, false, 4});
         return n; }},
      {"sec.str-not-last", [] {
         uint32_t i; BtfBuilder b = one_int(&i); Neg n = same(b);
         n.bad = b.build(Endian::Little, Layout{24, 0, true});
         return n; }},
      {"sec.type-align", [] {
         uint32_t i; BtfBuilder b = one_int(&i); Neg n = same(b);  // strings "\0int\0": 5 bytes
         n.bad = b.build(Endian::Little, Layout{24, 0, true});
         return n; }},
      {"sec.no-types", [] { uint32_t i; Neg n = same(one_int(&i)); n.bad = BtfBuilder().build(); return n; }},
      // --- strings -----------------------------------------------------------------------
      {"str.empty", [] {
         BtfBuilder b; b.add_ptr(0); Neg n = same(b);
         n.bad.set_header(HF::StrLen, 0);
         return n; }},
      {"str.last-not-nul", [] { uint32_t i; Neg n = same(one_int(&i)); n.bad.bytes.back() = 'x'; return n; }},
      {"str.too-long", [] {
         uint32_t i; BtfBuilder b = one_int(&i); Neg n = same(b);
         b.append_string_bytes(std::string(16u << 20, 'a') + '\0');
         n.bad = b.build();
         n.opts.max_size = 0;
         return n; }},
      {"str.first-not-nul", [] {
         BtfBuilder b; b.add_ptr(0); Neg n = same(b);
         n.bad.bytes[n.bad.str_start] = 'x';
         return n; }},
      // --- records ---------------------------------------------------------------------
      {"type.count", [] {
         BtfBuilder b;
         for (uint32_t k = 1; k < 0xfffff; ++k) b.add_ptr(0);
         Neg n = same(b, 0xfffff);
         b.add_ptr(0);
         n.bad = b.build();
         return n; }},
      {"type.info-reserved", [] { uint32_t i; Neg n = same(one_int(&i), 1); n.bad.set_word(i, 1, n.bad.get_word(i, 1) | 1u << 20); return n; }},
      {"type.vlen", [] { uint32_t i; Neg n = same(one_int(&i), 1); n.bad.set_word(i, 1, btf::make_info(1, 1, false)); return n; }},
      {"type.kflag", [] { uint32_t i; Neg n = same(one_int(&i), 1); n.bad.set_word(i, 1, btf::make_info(1, 0, true)); return n; }},
      {"name.offset", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t s = b.add_struct("s", 4, {{"a", i, 0}});
         Neg n = same(b, s); n.bad.set_word(s, 0, 0x10000); return n; }},
      {"name.required", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t t = b.add_typedef("t", i);
         Neg n = same(b, t); n.bad.set_word(t, 0, 0); return n; }},
      {"name.forbidden", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t p = b.add_ptr(i); uint32_t nm = b.str("p");
         Neg n = same(b, p); n.bad.set_word(p, 0, nm); return n; }},
      {"name.invalid", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t s = b.add_struct("s", 4, {{"a", i, 0}});
         uint32_t nm = b.str("1bad");
         Neg n = same(b, s); n.bad.set_word(s, 0, nm); return n; }},
      {"ref.void", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t v = b.add_var("v", i);
         Neg n = same(b, v); n.bad.set_word(v, 2, 0); return n; }},
      {"ref.range", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t p = b.add_ptr(i);
         Neg n = same(b, p); n.bad.set_word(p, 2, 0x100000); return n; }},
      {"int.reserved", [] { uint32_t i; Neg n = same(one_int(&i), 1); n.bad.set_word(i, 3, 32 | 1u << 28); return n; }},
      {"int.bits", [] {
         BtfBuilder b; uint32_t i = b.add_int("__int128", 16, 128);
         Neg n = same(b, i); n.bad.set_word(i, 3, 129); return n; }},
      {"int.size", [] { uint32_t i; Neg n = same(one_int(&i), 1); n.bad.set_word(i, 3, 33); return n; }},
      {"int.encoding", [] { uint32_t i; Neg n = same(one_int(&i), 1); n.bad.set_word(i, 3, 3u << 24 | 32); return n; }},
      {"array.size", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t a = b.add_array(i, i, 4);
         Neg n = same(b, a); n.bad.set_word(a, 2, 16); return n; }},
      {"struct.union-offset", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t u = b.add_union("u", 4, {{"a", i, 0}, {"b", i, 0}});
         Neg n = same(b, u); n.bad.set_word(u, 8, 8); return n; }},
      {"struct.member-order", [] {
         uint32_t i; BtfBuilder b = one_int(&i);
         uint32_t s = b.add_struct("s", 12, {{"a", i, 0}, {"b", i, 32}, {"c", i, 64}});
         Neg n = same(b, s); n.bad.set_word(s, 8, 96); return n; }},
      {"struct.member-offset", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t s = b.add_struct("s", 8, {{"a", i, 0}, {"b", i, 32}});
         Neg n = same(b, s); n.bad.set_word(s, 8, 72); return n; }},
      {"enum.size", [] {
         BtfBuilder b; uint32_t e = b.add_enum("e", 4, {{"A", 1}});
         Neg n = same(b, e); n.bad.set_word(e, 2, 3); return n; }},
      {"fwd.type", [] { BtfBuilder b; uint32_t f = b.add_fwd("f"); Neg n = same(b, f); n.bad.set_word(f, 2, 1); return n; }},
      {"func.linkage", [] {
         BtfBuilder b; uint32_t p = b.add_func_proto(0, {}); uint32_t f = b.add_func("f", p);
         Neg n = same(b, f); n.bad.set_word(f, 1, btf::make_info(12, kFuncExtern, false)); return n; }},
      {"var.linkage", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t v = b.add_var("v", i);
         Neg n = same(b, v); n.bad.set_word(v, 3, kVarExtern); return n; }},
      // --- DATASEC: [1] int, [2] var a, [3] var b, [4] .data {a@0/4, b@4/4} -------------
      {"datasec.size", [] { Neg n = same(two_var_sec(), 4); n.bad.set_word(4, 2, 0); return n; }},
      {"datasec.overlap", [] { Neg n = same(two_var_sec(), 4); n.bad.set_word(4, 7, 2); return n; }},
      {"datasec.offset", [] { Neg n = same(two_var_sec(), 4); n.bad.set_word(4, 7, 8); return n; }},
      {"datasec.entry-size", [] { Neg n = same(two_var_sec(), 4); n.bad.set_word(4, 5, 0); return n; }},
      {"datasec.end", [] { Neg n = same(two_var_sec(), 4); n.bad.set_word(4, 8, 5); return n; }},
      {"datasec.sum", [] { Neg n = same(two_var_sec(), 4); n.bad.set_word(4, 8, 5); return n; }},
      {"datasec.not-var", [] { Neg n = same(two_var_sec(), 4); n.bad.set_word(4, 3, 1); return n; }},
      {"datasec.var-size", [] { Neg n = same(two_var_sec(), 4); n.bad.set_word(4, 5, 2); return n; }},
      {"float.size", [] { BtfBuilder b; uint32_t f = b.add_float("double", 8); Neg n = same(b, f); n.bad.set_word(f, 2, 3); return n; }},
      {"decl_tag.value", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t s = b.add_struct("s", 4, {{"a", i, 0}});
         uint32_t t = b.add_decl_tag("x", s, 0);
         Neg n = same(b, t); n.bad.set_word(t, 0, 0); return n; }},
      {"decl_tag.component", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t s = b.add_struct("s", 4, {{"a", i, 0}});
         uint32_t t = b.add_decl_tag("x", s, 0);
         Neg n = same(b, t); n.bad.set_word(t, 3, uint32_t(-2)); return n; }},
      // --- resolution ----------------------------------------------------------------------
      {"resolve.missing", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t p = b.add_ptr(i);
         Neg n = same(b, p); n.bad.set_word(p, 2, 999); return n; }},
      {"resolve.source-only", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t p = b.add_ptr(i); uint32_t v = b.add_var("v", i);
         Neg n = same(b, p); n.bad.set_word(p, 2, v); return n; }},
      {"resolve.loop", [] {  // [2] PTR -> [3] CONST -> int, then CONST -> PTR
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t p = b.add_ptr(b.next_id() + 1); uint32_t c = b.add_const(i);
         Neg n = same(b, p); n.bad.set_word(c, 2, p); return n; }},
      {"resolve.depth", [] {  // two 20-typedef chains joined into one of 40
         uint32_t i; BtfBuilder b = one_int(&i);
         for (uint32_t k = 0; k < 40; ++k) b.add_typedef("t", k == 19 || k == 39 ? i : b.next_id() + 1);
         Neg n = same(b, 2); n.bad.set_word(21, 2, 22); return n; }},
      {"modifier.type", [] {  // PTR -> FUNC with a higher id: rejected, as in the kernel
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t p = b.add_ptr(i);
         uint32_t f = b.add_func("f", b.add_func_proto(0, {}));
         Neg n = same(b, p); n.bad.set_word(p, 2, f); return n; }},
      {"array.index", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t s = b.add_struct("s", 4, {{"a", i, 0}});
         uint32_t a = b.add_array(i, i, 4);
         Neg n = same(b, a); n.bad.set_word(a, 4, s); return n; }},
      {"array.elem", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t f = b.add_fwd("f"); uint32_t a = b.add_array(i, i, 4);
         Neg n = same(b, a); n.bad.set_word(a, 3, f); return n; }},
      {"array.int-elem", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t u4 = b.add_int("u4", 1, 4); uint32_t a = b.add_array(i, i, 4);
         Neg n = same(b, a); n.bad.set_word(a, 3, u4); return n; }},
      {"array.overflow", [] {
         BtfBuilder b; uint32_t l = b.add_int("long", 8, 64); uint32_t a = b.add_array(l, l, 4);
         Neg n = same(b, a); n.bad.set_word(a, 5, 0x40000000); return n; }},
      {"struct.member-type", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t f = b.add_fwd("f"); uint32_t s = b.add_struct("s", 4, {{"a", i, 0}});
         Neg n = same(b, s); n.bad.set_word(s, 4, f); return n; }},
      {"struct.member-align", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t in = b.add_struct("in", 4, {{"a", i, 0}});
         uint32_t s = b.add_struct("s", 8, {{"x", in, 0}});
         Neg n = same(b, s); n.bad.set_word(s, 5, 4); return n; }},
      {"struct.member-size", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t s = b.add_struct("s", 8, {{"a", i, 0}, {"b", i, 32}});
         Neg n = same(b, s); n.bad.set_word(s, 2, 4); return n; }},
      {"struct.member-bits", [] {
         BtfBuilder b; uint32_t i = b.add_int("__int128", 16, 128); uint32_t s = b.add_struct("s", 32, {{"a", i, 0}});
         Neg n = same(b, s); n.bad.set_word(s, 5, 4); return n; }},
      {"struct.bitfield-size", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t s = b.add_struct("s", 4, {{"a", i, 0, 3}}, true);
         Neg n = same(b, s); n.bad.set_word(s, 5, 33u << 24); return n; }},
      {"struct.bitfield-base", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t u4 = b.add_int("u4", 1, 4);
         uint32_t s = b.add_struct("s", 4, {{"a", i, 0, 3}}, true);
         Neg n = same(b, s); n.bad.set_word(s, 4, u4); return n; }},
      {"func.proto", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t f = b.add_func("f", b.add_func_proto(i, {}));
         Neg n = same(b, f); n.bad.set_word(f, 2, i); return n; }},
      {"func.arg-name", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t p = b.add_func_proto(i, {{"x", i}});
         uint32_t f = b.add_func("f", p);
         Neg n = same(b, f); n.bad.set_word(p, 3, 0); return n; }},
      {"proto.return", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t f = b.add_fwd("f"); uint32_t p = b.add_func_proto(i, {});
         Neg n = same(b, p); n.bad.set_word(p, 2, f); return n; }},
      {"proto.arg", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t f = b.add_fwd("f"); uint32_t p = b.add_func_proto(i, {{"x", i}});
         Neg n = same(b, p); n.bad.set_word(p, 4, f); return n; }},
      {"proto.vararg", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t p = b.add_func_proto(0, {{"x", i}, {"", 0}});
         uint32_t va = b.str("va");
         Neg n = same(b, p); n.bad.set_word(p, 5, va); return n; }},
      {"var.type", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t p = b.add_func_proto(0, {}); uint32_t v = b.add_var("v", i);
         Neg n = same(b, v); n.bad.set_word(v, 2, p); return n; }},
      {"decl_tag.target", [] {
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t v = b.add_var("v", i); uint32_t t = b.add_decl_tag("x", v);
         Neg n = same(b, t); n.bad.set_word(t, 2, i); return n; }},
      // --- type tags -------------------------------------------------------------------------
      {"type_tag.order", [] {  // CONST -> TYPE_TAG
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t t = b.add_type_tag("user", i); uint32_t c = b.add_const(i);
         Neg n = same(b, c); n.bad.set_word(c, 2, t); return n; }},
      {"type_tag.chain", [] {  // CONST <-> CONST
         uint32_t i; BtfBuilder b = one_int(&i); uint32_t a = b.add_const(i); uint32_t c = b.add_const(a);
         Neg n = same(b, a); n.bad.set_word(a, 2, c); return n; }},
      // --- target (btf/target.h) --------------------------------------------------------
      {"target.mismatch", [] {
         uint32_t l; Neg n = same(with_long(4, &l));
         n.target = btf::parse_target("32le");
         n.bad.set_word(l, 2, 8);
         n.bad.set_word(l, 3, (1u << 24) | 64);
         return n; }},
      {"target.endian", [] {
         uint32_t l; Neg n = same(with_long(8, &l));
         n.target = btf::parse_target("64le");
         n.bad = to_big_endian(n.good);
         n.big_endian_too = false;
         return n; }},
      // --- layout section (bpf-next; layout.cc) ------------------------------------------
      {"layout.align", [] { Neg n = with_layout(); n.bad.set_u32(24, n.bad.u32(24) + 2); return n; }},
      {"layout.too-small", [] { Neg n = with_layout(); n.bad.set_u32(28, 2); return n; }},
      {"layout.len-multiple", [] { Neg n = with_layout(); n.bad.set_u32(28, 6); return n; }},
      {"layout.entry", [] {
         Neg n = with_layout();
         n.bad.set_u8(layout_entry(n.bad, uint32_t(Kind::Struct)), 8);
         return n; }},
  };
  return kCases;
}

Image to_big_endian(const Image& img) {
  Image out = img;
  out.endian = Endian::Big;
  auto swap32 = [&](uint64_t off) {
    if (off + 4 > out.bytes.size()) return;
    std::swap(out.bytes[off], out.bytes[off + 3]);
    std::swap(out.bytes[off + 1], out.bytes[off + 2]);
  };
  std::swap(out.bytes[0], out.bytes[1]);
  const uint32_t hdr_len = img.header(HF::HdrLen);
  const uint64_t fields = hdr_len >= btf::kLayoutHeaderSize ? btf::kLayoutHeaderSize : 24;
  for (uint64_t off = 4; off < fields && off + 4 <= std::max<uint32_t>(hdr_len, 8); off += 4) swap32(off);
  for (uint64_t w = 0; w < img.type_len / 4; ++w) swap32(img.type_start + 4 * w);
  return out;
}

}  // namespace btfcheck::testing
