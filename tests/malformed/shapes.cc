// Malformed shapes: huge vlen, reference loops, 100k-long chains, hostile strings and the
// synthetic million-type graph.
//
// Design: each file is a BtfBuilder image (tests/unit/btf_builder.h), so framing is valid
// unless the case says otherwise, and the one thing that is wrong is the shape: a cycle
// with no pointer to break it, a chain deeper than any recursion could survive, a record
// count at the 16-bit vlen limit, names that are not UTF-8 or carry format/escape
// characters. Forward references are written by id arithmetic (next_id() + k), as a
// producer that numbers before it fills would. The expected verifier rule is recorded only
// where the rule is certain (the unit tests pin the exact rules); otherwise the e2e test
// asserts defined behaviour only.
#include <string>
#include <vector>

#include "bench/synth_btf.h"
#include "tests/malformed/suite.h"
#include "tests/unit/btf_builder.h"

namespace btfcheck::malformed {
namespace {

using namespace btfcheck::testing;
constexpr uint32_t kChain = 100000;

Entry entry(const std::string& name, const std::string& group, const std::string& note,
            const std::string& tier = "all") {
  Entry e;
  e.name = name + ".btf";
  e.group = group;
  e.note = note;
  e.tier = tier;
  return e;
}

void put(Suite& s, Entry e, const BtfBuilder& b) { s.add(std::move(e), b.bytes()); }

}  // namespace

void add_vlen(Suite& s) {
  constexpr uint32_t kMax = 0xffff;
  {  // vlen says 65535 members, the record holds one: the type section ends first.
    BtfBuilder b;
    uint32_t i = b.add_int("int", 4, 32, kIntSigned);
    uint32_t st = b.add_struct("s", 4, {{"a", i, 0}});
    b.set_word(st, 1, btf::make_info(uint32_t(Kind::Struct), kMax, false));
    Entry e = entry("vlen_struct_cut", "vlen", "STRUCT vlen 65535 with one member present");
    e.rule = "type.truncated";
    e.type_id = st;
    put(s, e, b);
  }
  {
    BtfBuilder b;
    uint32_t i = b.add_int("int", 4, 32, kIntSigned);
    uint32_t e = b.add_enum("e", 4, {{"A", 0}});
    b.set_word(e, 1, btf::make_info(uint32_t(Kind::Enum64), kMax, false));
    put(s, entry("vlen_enum64_cut", "vlen", "ENUM64 vlen 65535, one 12-byte enumerator of 8"), b);
    (void)i;
  }
  auto many_members = [](bool is_union) {
    BtfBuilder b;
    uint32_t i = b.add_int("int", 4, 32, kIntSigned);
    std::vector<Member> m;
    for (uint32_t k = 0; k < kMax; ++k) m.push_back({"m" + std::to_string(k), i, is_union ? 0 : 32 * k});
    if (is_union) b.add_union("u", 4, m);
    else b.add_struct("s", 4 * kMax, m);
    return b;
  };
  put(s, entry("vlen_struct_65535", "vlen", "valid STRUCT with 65535 members"), many_members(false));
  put(s, entry("vlen_union_65535", "vlen", "valid UNION with 65535 members"), many_members(true));
  {  // 65535 members, all named "m", all at offset 0 of a 4-byte struct.
    BtfBuilder b;
    uint32_t i = b.add_int("int", 4, 32, kIntSigned);
    b.add_struct("s", 4, std::vector<Member>(kMax, Member{"m", i, 0}));
    put(s, entry("vlen_struct_same_offset", "vlen", "65535 members named m at offset 0"), b);
  }
  {
    BtfBuilder b;
    std::vector<Enumerator> v;
    for (uint32_t k = 0; k < kMax; ++k) v.push_back({"E" + std::to_string(k), int64_t(k) - 30000});
    b.add_enum("e", 4, v, true);
    b.add_enum64("e64", 8, v, true);
    put(s, entry("vlen_enum_65535", "vlen", "ENUM and ENUM64 with 65535 enumerators"), b);
  }
  {
    BtfBuilder b;
    uint32_t i = b.add_int("int", 4, 32, kIntSigned);
    std::vector<Param> p;
    for (uint32_t k = 0; k < kMax; ++k) p.push_back({"p" + std::to_string(k), i});
    b.add_func("f", b.add_func_proto(i, p));
    put(s, entry("vlen_proto_65535", "vlen", "FUNC_PROTO with 65535 parameters"), b);
  }
  {
    BtfBuilder b;
    uint32_t i = b.add_int("int", 4, 32, kIntSigned);
    std::vector<SecVar> v;
    for (uint32_t k = 0; k < kMax; ++k) v.push_back({b.add_var("v" + std::to_string(k), i), 4 * k, 4});
    b.add_datasec(".data", 4 * kMax, v);
    put(s, entry("vlen_datasec_65535", "vlen", "DATASEC with 65535 VARs"), b);
  }
}

void add_loops(Suite& s) {
  struct L {
    const char* name;
    const char* rule;   // "" when several rules may fire first
    const char* note;
    void (*build)(BtfBuilder&);
  };
  static const L kLoops[] = {
      {"loop_typedef_self", "resolve.loop", "TYPEDEF t -> itself",
       [](BtfBuilder& b) { b.add_typedef("t", b.next_id()); }},
      {"loop_typedef_pair", "resolve.loop", "TYPEDEF a -> b -> a",
       [](BtfBuilder& b) { uint32_t a = b.next_id(); b.add_typedef("a", a + 1); b.add_typedef("b", a); }},
      {"loop_ptr_self", "resolve.loop", "PTR -> itself (pointer-only cycle)",
       [](BtfBuilder& b) { b.add_ptr(b.next_id()); }},
      {"loop_ptr_ring", "resolve.loop", "PTR -> PTR -> PTR -> first",
       [](BtfBuilder& b) { uint32_t a = b.next_id(); b.add_ptr(a + 1); b.add_ptr(a + 2); b.add_ptr(a); }},
      {"loop_cvr", "", "CONST -> VOLATILE -> RESTRICT -> CONST",
       [](BtfBuilder& b) { uint32_t a = b.next_id(); b.add_const(a + 1); b.add_volatile(a + 2); b.add_restrict(a); }},
      {"loop_type_tag_self", "", "TYPE_TAG -> itself",
       [](BtfBuilder& b) { b.add_type_tag("user", b.next_id()); }},
      {"loop_struct_self", "", "struct s { struct s x; } by value",
       [](BtfBuilder& b) { uint32_t a = b.next_id(); b.add_struct("s", 4, {{"x", a, 0}}); }},
      {"loop_struct_pair", "", "struct a { struct b x; }; struct b { struct a y; } by value",
       [](BtfBuilder& b) { uint32_t a = b.next_id(); b.add_struct("a", 4, {{"x", a + 1, 0}}); b.add_struct("b", 4, {{"y", a, 0}}); }},
      {"loop_union_self", "", "union u { union u x; }",
       [](BtfBuilder& b) { uint32_t a = b.next_id(); b.add_union("u", 4, {{"x", a, 0}}); }},
      {"loop_struct_typedef_const", "", "struct s { const t x; }; typedef struct s t",
       [](BtfBuilder& b) {
         uint32_t a = b.next_id();
         b.add_struct("s", 4, {{"x", a + 1, 0}}); b.add_const(a + 2); b.add_typedef("t", a); }},
      {"loop_array_self", "", "ARRAY of itself",
       [](BtfBuilder& b) { uint32_t i = b.add_int("int", 4, 32); b.add_array(b.next_id(), i, 2); }},
      {"loop_array_typedef", "", "ARRAY of typedef of that ARRAY",
       [](BtfBuilder& b) { uint32_t i = b.add_int("int", 4, 32); uint32_t a = b.next_id(); b.add_array(a + 1, i, 2); b.add_typedef("t", a); }},
      {"loop_array_index_self", "", "ARRAY whose index type is itself",
       [](BtfBuilder& b) { uint32_t i = b.add_int("int", 4, 32); b.add_array(i, b.next_id(), 2); }},
      {"loop_proto_ret_self", "", "FUNC_PROTO returning itself",
       [](BtfBuilder& b) { b.add_func_proto(b.next_id(), {}); }},
      {"loop_proto_arg_self", "", "FUNC_PROTO taking itself",
       [](BtfBuilder& b) { uint32_t i = b.add_int("int", 4, 32); b.add_func_proto(i, {{"x", b.next_id()}}); }},
      {"loop_func_self", "", "FUNC -> itself",
       [](BtfBuilder& b) { b.add_func("f", b.next_id()); }},
      {"loop_var_self", "", "VAR of itself",
       [](BtfBuilder& b) { b.add_var("v", b.next_id()); }},
      {"loop_decl_tag_self", "", "DECL_TAG on itself",
       [](BtfBuilder& b) { b.add_decl_tag("t", b.next_id()); }},
      {"loop_datasec_self", "", "DATASEC entry -> that DATASEC",
       [](BtfBuilder& b) { b.add_datasec(".data", 4, {{b.next_id(), 0, 4}}); }},
      {"loop_const_ring_1000", "", "1000 CONSTs in a ring",
       [](BtfBuilder& b) { uint32_t a = b.next_id(); for (uint32_t k = 0; k < 1000; ++k) b.add_const(k == 999 ? a : a + k + 1); }},
      {"loop_fwd_struct_ptr_valid", "", "struct list { struct list *next; } (valid: a pointer breaks it)",
       [](BtfBuilder& b) { uint32_t a = b.next_id(); b.add_struct("list", 8, {{"next", a + 1, 0}}); b.add_ptr(a); }},
  };
  for (const L& l : kLoops) {
    BtfBuilder b;
    l.build(b);
    Entry e = entry(l.name, "loop", l.note);
    e.rule = l.rule;
    e.expect = std::string(l.name).ends_with("_valid") ? "valid" : "invalid";
    put(s, e, b);
  }
}

void add_chains(Suite& s) {
  const uint32_t n = kChain;
  auto chain = [&](const char* name, const char* note, const char* expect, auto&& build) {
    BtfBuilder b;
    build(b);
    Entry e = entry(name, "chain", note, "deep");
    e.expect = expect;
    put(s, e, b);
  };
  // Forward chains: type k refers to k+1, the last one to an INT at the end, so a
  // depth-first walk from type 1 goes 100k deep.
  chain("chain_typedef_fwd_100k", "100k TYPEDEFs t0 -> t1 -> ... -> int", "invalid", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < n; ++k) b.add_typedef("t" + std::to_string(k), b.next_id() + 1);
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("chain_typedef_samename_100k", "100k TYPEDEFs all named t, chained", "invalid", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < n; ++k) b.add_typedef("t", b.next_id() + 1);
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("chain_typedef_back_100k", "100k TYPEDEFs each to the previous (valid)", "valid", [&](BtfBuilder& b) {
    uint32_t prev = b.add_int("int", 4, 32, kIntSigned);
    for (uint32_t k = 0; k < n; ++k) prev = b.add_typedef("t" + std::to_string(k), prev);
  });
  chain("chain_ptr_fwd_100k", "100k PTRs chained forward to an int", "", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < n; ++k) b.add_ptr(b.next_id() + 1);
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("chain_const_fwd_100k", "100k CONSTs chained forward", "invalid", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < n; ++k) b.add_const(b.next_id() + 1);
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("chain_mixed_fwd_100k", "typedef/const/volatile/ptr/restrict/type_tag chain", "invalid", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < n; ++k) {
      const uint32_t next = b.next_id() + 1;
      switch (k % 6) {
        case 0: b.add_typedef("t" + std::to_string(k), next); break;
        case 1: b.add_const(next); break;
        case 2: b.add_volatile(next); break;
        case 3: b.add_ptr(next); break;
        case 4: b.add_restrict(next); break;
        default: b.add_type_tag("tag", next); break;
      }
    }
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("chain_struct_value_100k", "struct s_k { struct s_k+1 x; } 100k deep", "", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < n; ++k) b.add_struct("s" + std::to_string(k), 4, {{"x", b.next_id() + 1, 0}});
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("chain_array_100k", "ARRAY of ARRAY of ... 100k deep", "", [&](BtfBuilder& b) {
    const uint32_t idx = n + 1;   // the INT at the end doubles as the index type
    for (uint32_t k = 0; k < n; ++k) b.add_array(b.next_id() + 1, idx, 1);
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("chain_proto_100k", "FUNC_PROTO k takes a pointer to FUNC_PROTO k+1", "", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < n; ++k) {
      const uint32_t proto = b.next_id();
      b.add_func_proto(0, {{"p", proto + 1}});
      b.add_ptr(proto + 2);
    }
    b.add_func_proto(0, {});
  });
  // Small DAGs whose tree unfolding is 2^64: any walk without memo never ends.
  chain("dag_struct_2x64", "struct s_k { struct s_k+1 a, b; } 64 levels (valid)", "", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < 64; ++k) {
      const uint32_t next = b.next_id() + 1;
      b.add_struct("s" + std::to_string(k), 8, {{"a", next, 0}, {"b", next, 0}});
    }
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("dag_anon_struct_2x64", "the same with anonymous structs under one named root", "", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < 64; ++k) {
      const uint32_t next = b.next_id() + 1;
      b.add_struct(k == 0 ? "root" : "", 8, {{"a", next, 0}, {"b", next, 0}});
    }
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("dag_proto_2x64", "CONST -> FUNC_PROTO(p, q) both to the next CONST, 64 levels", "", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < 64; ++k) {
      const uint32_t self = b.next_id();
      b.add_const(self + 1);
      b.add_func_proto(0, {{"p", self + 2}, {"q", self + 2}});
    }
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("dag_typedef_ptr_2x64", "typedef t_k = struct { t_k+1 *a, *b; } 64 levels", "", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < 64; ++k) {
      const uint32_t self = b.next_id();   // typedef, anon struct, ptr
      b.add_typedef("t" + std::to_string(k), self + 1);
      b.add_struct("", 16, {{"a", self + 2, 0}, {"b", self + 2, 64}});
      b.add_ptr(self + 3);
    }
    b.add_int("int", 4, 32, kIntSigned);
  });
  chain("ring_typedef_100k", "100k TYPEDEFs in one ring", "invalid", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < n; ++k) b.add_typedef("t" + std::to_string(k), k + 1 == n ? 1 : b.next_id() + 1);
  });
  chain("ring_struct_ptr_100k", "struct s_k { struct s_k+1 *p; } in a 100k ring (valid)", "valid", [&](BtfBuilder& b) {
    // ids: struct at 2k+1, its pointer target PTR at 2k+2 -> struct 2k+3 (wrapping to 1).
    for (uint32_t k = 0; k < n; ++k) {
      const uint32_t self = b.next_id();
      b.add_struct("s" + std::to_string(k), 8, {{"p", self + 1, 0}});
      b.add_ptr(k + 1 == n ? 1 : self + 2);
    }
  });
  chain("ring_struct_ptr_samename_100k", "the same ring, every struct named s", "valid", [&](BtfBuilder& b) {
    for (uint32_t k = 0; k < n; ++k) {
      const uint32_t self = b.next_id();
      b.add_struct("s", 8, {{"p", self + 1, 0}});
      b.add_ptr(k + 1 == n ? 1 : self + 2);
    }
  });
}

void add_strings(Suite& s) {
  auto names = [&](const char* file, const char* note, std::vector<std::string> list) {
    BtfBuilder b;
    uint32_t i = b.add_int("int", 4, 32, kIntSigned);
    std::vector<Member> members;
    std::vector<Enumerator> values;
    for (size_t k = 0; k < list.size(); ++k) {
      b.add_typedef(list[k], i);
      members.push_back({list[k], i, uint32_t(32 * k)});
      values.push_back({list[k], int64_t(k)});
    }
    b.add_struct(list[0], uint32_t(4 * list.size()), members);
    b.add_enum(list[0], 4, values);
    uint32_t v = b.add_var(list[0], i);
    b.add_datasec(list[0], 4, {{v, 0, 4}});
    b.add_func(list[0], b.add_func_proto(i, {{list[0], i}}));
    Entry e = entry(file, "string", note);
    e.expect = "invalid";
    s.add(e, b.bytes());
  };
  names("str_invalid_utf8", "names that are not UTF-8",
        {"\xff\xfe", "\xc3\x28", "a\x80z", "\xed\xa0\x80", "\xf4\x90\x80\x80"});
  names("str_format", "printf conversions in names", {"%s%s%s%n", "%x%p", "{}{0}", "%%"});
  names("str_control", "control characters and escapes in names",
        {"a\nb", "\t\r", "\x1b[31mred\x1b[0m", "q\"uote", "back\\slash", "\x01\x02\x7f"});
  names("str_markup", "HTML/markdown/JSON syntax in names",
        {"</script><b>x", "a|b|c", "```", "]]>", "\",\"x\":\"", "&amp;"});
  {
    BtfBuilder b;
    uint32_t i = b.add_int("int", 4, 32, kIntSigned);
    b.add_typedef(std::string(1 << 20, 'n'), i);
    b.add_struct(std::string(70000, 's'), 4, {{std::string(70000, 'm'), i, 0}});
    Entry e = entry("str_long_names", "string", "a 1 MiB typedef name, 70k struct/member names");
    e.rule = "name.invalid";
    s.add(e, b.bytes());
  }
  auto patched = [&](const char* file, const char* note, auto&& patch) {
    BtfBuilder b;
    uint32_t i = b.add_int("int", 4, 32, kIntSigned);
    uint32_t t = b.add_typedef("name", i);
    uint32_t st = b.add_struct("st", 4, {{"mem", i, 0}});
    Image img = b.build();
    patch(img, i, t, st);
    s.add(entry(file, "string", note), img.bytes);
  };
  patched("str_unterminated", "last string without its NUL, a name points at it",
          [](Image& img, uint32_t, uint32_t t, uint32_t) {
            img.bytes.back() = 'x';
            img.set_word(t, 0, img.str_len - 4);
          });
  patched("str_name_mid", "name offset into the middle of a string",
          [](Image& img, uint32_t, uint32_t t, uint32_t st) {
            img.set_word(t, 0, img.get_word(t, 0) + 2);
            img.set_word(st, 3, img.get_word(st, 3) + 1);
          });
  patched("str_name_last_nul", "name offset at the final NUL (an empty name)",
          [](Image& img, uint32_t, uint32_t t, uint32_t) { img.set_word(t, 0, img.str_len - 1); });
  patched("str_name_at_end", "name offset one past the string section",
          [](Image& img, uint32_t, uint32_t t, uint32_t) { img.set_word(t, 0, img.str_len); });
  patched("str_name_max", "name and member name offsets 0xffffffff",
          [](Image& img, uint32_t i, uint32_t t, uint32_t st) {
            img.set_word(t, 0, 0xffffffff);
            img.set_word(st, 3, 0xffffffff);
            img.set_word(i, 0, 0x7fffffff);
          });
  patched("str_all_nul", "string section all NULs: every name empty",
          [](Image& img, uint32_t, uint32_t, uint32_t) {
            for (uint32_t k = 0; k < img.str_len; ++k) img.bytes[img.str_start + k] = 0;
          });
  patched("str_no_nul_at_all", "string section without any NUL",
          [](Image& img, uint32_t, uint32_t, uint32_t) {
            for (uint32_t k = 0; k < img.str_len; ++k) img.bytes[img.str_start + k] = 'A';
          });
  patched("str_section_empty_names_set", "string length 0 while names point into it",
          [](Image& img, uint32_t, uint32_t, uint32_t) { img.set_header(HeaderField::StrLen, 0); });
  patched("str_high_bytes", "names of bytes 0x80-0xff",
          [](Image& img, uint32_t, uint32_t, uint32_t) {
            for (uint32_t k = 1; k + 1 < img.str_len; ++k)
              if (img.bytes[img.str_start + k]) img.bytes[img.str_start + k] = uint8_t(0x80 + k);
          });
}

void add_synth(Suite& s) {
  for (uint32_t groups : {10000u, 100000u}) {
    bench::SynthOptions o;
    o.groups = groups;
    auto img = bench::make_synthetic_btf(o);
    Entry e;
    e.name = groups == 10000 ? "synth_100k.btf" : "synth_1m.btf";
    e.group = "synth";
    e.tier = "huge";
    e.note = "bench/synth_btf.h graph, " + std::to_string(img.types) + " types";
    s.add(e, img.bytes);
  }
}

}  // namespace btfcheck::malformed
