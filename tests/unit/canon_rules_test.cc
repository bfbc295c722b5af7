// Every normalization rule equates only what it names. Per rule: a pair the rule equates
// (different in strict mode, equal with the rule alone and with the cross-producer preset)
// and near misses it must not equate (still a change, at the expected category and path,
// with the rule alone and with the whole preset). Every rule of the preset has a case.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "btf/btf.h"
#include "canon/canon.h"
#include "canon/rules.h"
#include "comparator/diff/diff.h"
#include "tests/unit/btf_builder.h"

namespace btfcheck {
namespace {

using testing::BtfBuilder;
using testing::kIntSigned;
using Build = std::function<void(BtfBuilder&)>;

struct Pair {
  Build a, b;
};
struct NearMiss {
  std::string what;       // for messages
  Pair pair;
  std::string expected;   // "category path" of a change the diff must report
  std::string also = "";  // or this (a path's kind word follows the rules: enum64 -> enum)
};
struct RuleCase {
  std::string rule;
  std::vector<Pair> equated;
  std::vector<NearMiss> near_misses;
};

diff::Report diff_of(const Pair& p, const std::vector<std::string>& rules) {
  BtfBuilder a, b;
  p.a(a);
  p.b(b);
  auto pa = a.build().parse();
  auto pb = b.build().parse();
  EXPECT_TRUE(pa.ok()) << (pa.ok() ? "" : pa.error().str());
  EXPECT_TRUE(pb.ok()) << (pb.ok() ? "" : pb.error().str());
  if (!pa.ok() || !pb.ok()) return {};
  canon::Options o;
  o.rules = rules;
  return diff::diff(canon::build(**pa, o), canon::build(**pb, o), {.leaf = true});
}

std::vector<std::string> preset() { return *canon::parse_rules("cross-producer"); }

// struct s { T m; } with T what `member` adds (the struct's size does not matter here).
Build holder(std::function<uint32_t(BtfBuilder&)> member) {
  return [member](BtfBuilder& b) { b.add_struct("s", 64, {{"m", member(b), 0}}); };
}
Build holder_int(std::string name, uint32_t size, uint32_t bits, uint32_t enc) {
  return holder([=](BtfBuilder& b) { return b.add_int(name, size, bits, enc); });
}
uint32_t int_(BtfBuilder& b) { return b.add_int("int", 4, 32, kIntSigned); }
// Nested arrays of `elem`, dims outermost first, all indexed by `idx`.
uint32_t nested(BtfBuilder& b, uint32_t elem, uint32_t idx, std::vector<uint32_t> dims) {
  for (size_t i = dims.size(); i-- > 0;) elem = b.add_array(elem, idx, dims[i]);
  return elem;
}
Build array_of(std::vector<uint32_t> dims, const char* elem = "int") {
  return holder([=](BtfBuilder& b) {
    const uint32_t i = int_(b);
    const uint32_t e = std::string(elem) == "int" ? i : b.add_int(elem, 8, 64, kIntSigned);
    return nested(b, e, i, dims);
  });
}
// An unreferenced anonymous pointer to nested arrays of int (dims outermost first).
Build ptr_to_array(std::vector<uint32_t> dims) {
  return [=](BtfBuilder& b) {
    const uint32_t i = int_(b);
    b.add_ptr(nested(b, i, i, dims));
  };
}
// An enum (or enum64) e of one or two enumerators.
Build enum_e(bool is64, uint32_t size, std::vector<testing::Enumerator> v, bool is_signed) {
  return [=](BtfBuilder& b) {
    if (is64) b.add_enum64("e", size, v, is_signed);
    else b.add_enum("e", size, v, is_signed);
  };
}
// struct s { <tags/quals> int *m; }: chain lists the pointee's modifiers outermost first,
// "const"/"volatile" or a type tag's value.
Build tagged_ptr(std::vector<std::string> chain) {
  return holder([=](BtfBuilder& b) {
    uint32_t t = int_(b);
    for (size_t i = chain.size(); i-- > 0;)
      t = chain[i] == "const" ? b.add_const(t) : chain[i] == "volatile" ? b.add_volatile(t)
                                                                         : b.add_type_tag(chain[i], t);
    return b.add_ptr(t);
  });
}
// VARs v1 (int) and v2 (v2_long ? long : int) in DATASEC .bss, entries (var, offset, size).
Build section(bool v2_long, uint32_t size, std::vector<std::tuple<int, uint32_t, uint32_t>> entries) {
  return [=](BtfBuilder& b) {
    const uint32_t i = int_(b), l = b.add_int("long", 8, 64, kIntSigned);
    const uint32_t v1 = b.add_var("v1", i), v2 = b.add_var("v2", v2_long ? l : i);
    std::vector<testing::SecVar> sv;
    for (auto [v, off, sz] : entries) sv.push_back({v == 1 ? v1 : v2, off, sz});
    b.add_datasec(".bss", size, sv);
  };
}
// struct s { T *m; int n; } with T a FWD or a struct of the given name.
Build ptr_to(std::function<uint32_t(BtfBuilder&)> target) {
  return [=](BtfBuilder& b) {
    const uint32_t p = b.add_ptr(target(b));
    b.add_struct("s", 16, {{"m", p, 0}, {"n", int_(b), 64}});
  };
}
uint32_t struct_named(BtfBuilder& b, const char* name) {
  return b.add_struct(name, 4, {{"x", int_(b), 0}});
}
// Legacy (kind_flag 0) bitfield: member type INT "int" of `bits` at int offset `int_off`.
Build legacy_bitfield(uint32_t bits, uint32_t int_off, uint32_t member_off) {
  return [=](BtfBuilder& b) {
    int_(b);
    const uint32_t t = b.add_int("int", 4, bits, kIntSigned, int_off);
    b.add_struct("s", 4, {{"x", t, member_off}});
  };
}
Build kflag_bitfield(uint32_t bits, uint32_t member_off) {
  return [=](BtfBuilder& b) { b.add_struct("s", 4, {{"x", int_(b), member_off, bits}}, true); };
}
// enum `defined` { X }, a struct e when `struct_e`, and struct s { p: pointer to e }, e a
// FWD (struct) or, when `enum_fwd`, an enum without enumerators.
Build fwd_kind_case(const char* defined, bool struct_e, bool enum_fwd) {
  return [=](BtfBuilder& b) {
    b.add_enum(defined, 4, {{"X", 1}});
    if (struct_e) struct_named(b, "e");
    const uint32_t e = enum_fwd ? b.add_enum("e", 4, {}) : b.add_fwd("e");
    b.add_struct("s", 8, {{"p", b.add_ptr(e), 0}});
  };
}
Build func_f(uint32_t linkage, bool ret_long, const char* param) {
  return [=](BtfBuilder& b) {
    const uint32_t i = int_(b);
    const uint32_t r = ret_long ? b.add_int("long", 8, 64, kIntSigned) : i;
    b.add_func("f", b.add_func_proto(r, {{param, i}}), linkage);
  };
}
Build func_param(const char* name, bool is_long) {
  return [=](BtfBuilder& b) {
    const uint32_t i = int_(b);
    const uint32_t p = is_long ? b.add_int("long", 8, 64, kIntSigned) : i;
    b.add_func("f", b.add_func_proto(i, {{name, p}}), testing::kFuncGlobal);
  };
}

const std::vector<RuleCase>& cases() {
  using testing::kFuncGlobal;
  using testing::kFuncStatic;
  static const std::vector<RuleCase> kCases = {
      {"int-names",
       {{holder_int("long unsigned int", 8, 64, 0), holder_int("unsigned long", 8, 64, 0)},
        {holder_int("short int", 2, 16, kIntSigned), holder_int("signed short", 2, 16, kIntSigned)}},
       {{"long is not long long", {holder_int("long int", 8, 64, kIntSigned),
                                   holder_int("long long int", 8, 64, kIntSigned)}, "type struct s.m"},
        {"long is not int, even of one size", {holder_int("long int", 8, 64, kIntSigned),
                                                holder_int("int", 8, 64, kIntSigned)}, "type struct s.m"},
        {"char is not signed char", {holder_int("char", 1, 8, kIntSigned),
                                     holder_int("signed char", 1, 8, kIntSigned)}, "type struct s.m"},
        {"no valid type: not respelled", {holder_int("long long long", 8, 64, kIntSigned),
                                          holder_int("long", 8, 64, kIntSigned)}, "type struct s.m"}}},
      {"char-encoding",
       {{holder_int("char", 1, 8, kIntSigned), holder_int("char", 1, 8, 0)}},
       {{"bool stays bool", {holder_int("_Bool", 1, 8, testing::kIntBool), holder_int("_Bool", 1, 8, 0)},
         "encoding _Bool"},
        {"only 8-bit ints", {holder_int("short", 2, 16, kIntSigned), holder_int("short", 2, 16, 0)},
         "encoding short"}}},
      {"float-int",
       {{holder_int("double", 8, 64, 0), holder([](BtfBuilder& b) { return b.add_float("double", 8); })}},
       {{"size still counts", {holder_int("double", 8, 64, 0),
                               holder([](BtfBuilder& b) { return b.add_float("double", 16); })},
         "size double"},
        {"only floating names", {holder_int("long", 8, 64, kIntSigned),
                                 holder([](BtfBuilder& b) { return b.add_float("long", 8); })},
         "kind long"}}},
      {"bitfields",
       {{legacy_bitfield(3, 0, 5), kflag_bitfield(3, 5)}},
       {{"width differs", {legacy_bitfield(3, 0, 5), kflag_bitfield(4, 5)}, "bitfield struct s.x"},
        {"the int's bit offset counts", {legacy_bitfield(3, 2, 5), kflag_bitfield(3, 5)},
         "offset struct s.x"}}},
      {"array-flatten",
       {{array_of({3, 4, 5}), array_of({60})},
        {holder([](BtfBuilder& b) {   // through a typedef: row_t m[12] with row_t int[5]
           const uint32_t i = int_(b);
           return b.add_array(b.add_typedef("row_t", b.add_array(i, i, 5)), i, 12);
         }),
         [](BtfBuilder& b) {
           const uint32_t i = int_(b);
           b.add_typedef("row_t", b.add_array(i, i, 5));
           b.add_struct("s", 64, {{"m", b.add_array(i, i, 60), 0}});
         }},
        {ptr_to_array({7, 3, 2}), ptr_to_array({42})}},   // only a pointer to it, anonymous
       {{"another nesting order", {array_of({3, 4, 5}), array_of({5, 4, 3})}, "type struct s.m"},
        {"a pointer to another nesting order", {ptr_to_array({7, 3, 2}), ptr_to_array({2, 3, 7})},
         "removed anon := ptr(array(array(array(int, 2, int), 3, int), 7, int))",
         "removed anon := ptr(array(array(array(int, 2, void), 3, void), 7, void))"},
        {"another element count", {array_of({3, 4, 5}), array_of({72})}, "array-length struct s.m"},
        {"another element type", {array_of({3, 4, 5}), array_of({60}, "long")}, "type struct s.m[]"}}},
      {"array-index",
       {{holder([](BtfBuilder& b) { const uint32_t i = int_(b); return b.add_array(i, i, 4); }),
         holder([](BtfBuilder& b) {
           return b.add_array(int_(b), b.add_int("__ARRAY_SIZE_TYPE__", 4, 32), 4);
         })}},
       {{"length still counts",
         {holder([](BtfBuilder& b) { const uint32_t i = int_(b); return b.add_array(i, i, 4); }),
          holder([](BtfBuilder& b) { const uint32_t i = int_(b); return b.add_array(i, i, 5); })},
         "array-length struct s.m"},
        {"__ARRAY_SIZE_TYPE__ used elsewhere stays a type",
         {holder([](BtfBuilder& b) { return b.add_int("__ARRAY_SIZE_TYPE__", 4, 32); }),
          holder([](BtfBuilder&) { return 0u; })},
         "type struct s.m"}}},
      {"enum-sign",
       {{enum_e(false, 4, {{"A", -1}}, true), enum_e(false, 4, {{"A", 0xffffffffll}}, false)}},
       {{"values still count", {enum_e(false, 4, {{"A", 1}}, true), enum_e(false, 4, {{"A", 2}}, false)},
         "enum-value enum e.A"},
        {"64-bit values are not truncated",
         {enum_e(true, 8, {{"A", -1}}, true), enum_e(true, 8, {{"A", 0xffffffffll}}, false)},
         "enum-value enum64 e.A", "enum-value enum e.A"}}},
      {"enum64",
       {{enum_e(true, 8, {{"A", 1}, {"B", 2}}, false), enum_e(false, 8, {{"A", 1}, {"B", 2}}, false)}},
       {{"different values", {enum_e(true, 8, {{"A", 1ll << 32}}, false), enum_e(false, 8, {{"A", 0}}, false)},
         "enum-value enum e.A"},
        {"different sizes", {enum_e(true, 8, {{"A", 1}}, false), enum_e(false, 4, {{"A", 1}}, false)},
         "size enum e"}}},
      {"func-linkage",
       {{func_f(kFuncStatic, false, "a"), func_f(kFuncGlobal, false, "a")}},
       {{"the prototype still counts", {func_f(kFuncStatic, false, "a"), func_f(kFuncGlobal, true, "a")},
         "return func f.return"},
        {"VAR linkage is not FUNC linkage",
         {[](BtfBuilder& b) { b.add_var("v", int_(b), testing::kVarStatic); },
          [](BtfBuilder& b) { b.add_var("v", int_(b), testing::kVarGlobal); }},
         "linkage var v"}}},
      {"type-tag-order",
       {{tagged_ptr({"a", "b", "const"}), tagged_ptr({"const", "b", "a"})}},
       {{"another tag", {tagged_ptr({"a", "const"}), tagged_ptr({"b", "const"})}, "type struct s.m"},
        {"another qualifier", {tagged_ptr({"a", "const"}), tagged_ptr({"a", "volatile"})},
         "qualifier struct s.m"},
        {"a tag more", {tagged_ptr({"a"}), tagged_ptr({"a", "b"})}, "type struct s.m"}}},
      {"datasec-offsets",
       {{section(false, 0, {{1, 0, 0}, {2, 0, 0}}), section(false, 16, {{2, 8, 4}, {1, 0, 4}})}},
       {{"a changed VAR type", {section(false, 0, {{1, 0, 0}, {2, 0, 0}}), section(true, 16, {{1, 0, 4}, {2, 8, 8}})},
         "type var v2"},
        {"a VAR left out", {section(false, 0, {{1, 0, 0}, {2, 0, 0}}), section(false, 16, {{1, 0, 4}})},
         "datasec datasec .bss.var v2"}}},
      {"fwd-kind",   // gcc 12: enum e defined, a pointer to an incomplete one as a struct FWD
       {{fwd_kind_case("e", false, false), fwd_kind_case("e", false, true)}},
       {{"a struct of that name exists", {fwd_kind_case("e", true, false), fwd_kind_case("e", true, true)},
         "type struct s.p"},
        {"only an enum of another name", {fwd_kind_case("f", false, false), fwd_kind_case("f", false, true)},
         "type struct s.p"}}},
      {"fwd-decl",
       {{ptr_to([](BtfBuilder& b) { return b.add_fwd("t"); }),
         ptr_to([](BtfBuilder& b) { return struct_named(b, "t"); })}},
       {{"a struct of another name", {ptr_to([](BtfBuilder& b) { return b.add_fwd("t"); }),
                                      ptr_to([](BtfBuilder& b) { return struct_named(b, "u"); })},
         "type struct s.m"},
        {"a union forward is no struct", {ptr_to([](BtfBuilder& b) { return b.add_fwd("t", true); }),
                                          ptr_to([](BtfBuilder& b) { return struct_named(b, "t"); })},
         "type struct s.m"}}},
      {"array-qualifiers",
       {{holder([](BtfBuilder& b) { const uint32_t i = int_(b); return b.add_const(b.add_array(i, i, 4)); }),
         holder([](BtfBuilder& b) { const uint32_t i = int_(b); return b.add_array(b.add_const(i), i, 4); })},
        {holder([](BtfBuilder& b) {   // gcc: on both
           const uint32_t i = int_(b);
           return b.add_const(b.add_array(b.add_const(i), i, 4));
         }),
         holder([](BtfBuilder& b) { const uint32_t i = int_(b); return b.add_array(b.add_const(i), i, 4); })}},
       {{"another qualifier",
         {holder([](BtfBuilder& b) { const uint32_t i = int_(b); return b.add_const(b.add_array(i, i, 4)); }),
          holder([](BtfBuilder& b) { const uint32_t i = int_(b); return b.add_array(b.add_volatile(i), i, 4); })},
         "qualifier struct s.m[]"},
        {"the qualifier is not dropped",
         {holder([](BtfBuilder& b) { const uint32_t i = int_(b); return b.add_const(b.add_array(i, i, 4)); }),
          holder([](BtfBuilder& b) { const uint32_t i = int_(b); return b.add_array(i, i, 4); })},
         "qualifier struct s.m[]"}}},
      {"unused-base-types",
       {{[](BtfBuilder& b) {
           b.add_int("long", 8, 64, kIntSigned);
           b.add_float("double", 8);
           b.add_struct("s", 4, {{"m", int_(b), 0}});
         },
         [](BtfBuilder& b) { b.add_struct("s", 4, {{"m", int_(b), 0}}); }}},
       {{"a used INT stays", {[](BtfBuilder& b) {
                                int_(b);
                                b.add_typedef("L", b.add_int("long", 8, 64, kIntSigned));
                              },
                              [](BtfBuilder& b) { b.add_typedef("L", int_(b)); }},
         "removed long"},
        {"a used FLOAT stays", {holder([](BtfBuilder& b) { return b.add_float("double", 8); }),
                                holder([](BtfBuilder& b) { return int_(b); })},
         "removed double"}}},
      {"param-names",
       {{func_param("a", false), func_param("b", false)}},
       {{"the parameter type still counts", {func_param("a", false), func_param("a", true)},
         "param func f.param0"}}},
  };
  return kCases;
}

std::string changes(const diff::Report& r) { return diff::render_text(r); }

TEST(CanonRules, EveryPresetRuleHasACase) {
  std::vector<std::string> covered;
  for (const RuleCase& c : cases()) covered.push_back(c.rule);
  for (const std::string& r : preset())
    EXPECT_NE(std::find(covered.begin(), covered.end(), r), covered.end()) << r << " has no case";
  for (const RuleCase& c : cases()) {
    EXPECT_FALSE(c.equated.empty()) << c.rule;
    EXPECT_FALSE(c.near_misses.empty()) << c.rule;
    EXPECT_TRUE(canon::parse_rules(c.rule).ok()) << c.rule;
  }
}

TEST(CanonRules, EachRuleEquatesWhatItNames) {
  for (const RuleCase& c : cases())
    for (size_t k = 0; k < c.equated.size(); ++k) {
      SCOPED_TRACE(c.rule + " pair " + std::to_string(k));
      const diff::Report strict = diff_of(c.equated[k], {});
      EXPECT_GT(strict.unsuppressed(), 0u) << "equal without the rule";
      const diff::Report alone = diff_of(c.equated[k], {c.rule});
      EXPECT_EQ(alone.unsuppressed(), 0u) << changes(alone);
      if (c.rule != "param-names") {
        const diff::Report all = diff_of(c.equated[k], preset());
        EXPECT_EQ(all.unsuppressed(), 0u) << changes(all);
      }
    }
}

TEST(CanonRules, EachRuleKeepsItsNearMissesApart) {
  for (const RuleCase& c : cases())
    for (const NearMiss& n : c.near_misses) {
      SCOPED_TRACE(c.rule + ": " + n.what);
      std::vector<std::vector<std::string>> rule_sets{{c.rule}, preset()};
      rule_sets[1].push_back(c.rule);   // param-names is not in the preset
      for (const auto& rules : rule_sets) {
        const diff::Report r = diff_of(n.pair, rules);
        bool found = false;
        for (const diff::Change& ch : r.changes)
          found |= ch.category + " " + ch.path == n.expected || ch.category + " " + ch.path == n.also;
        EXPECT_TRUE(found) << "expected \"" << n.expected << "\" with " << rules.size()
                           << " rule(s), got:\n" << changes(r);
      }
    }
}

}  // namespace
}  // namespace btfcheck
