// One negative test per rule id: a valid image from BtfBuilder (asserted clean), one field
// corrupted, the exact rule id reported for the exact type id. Plus a coverage check that
// every id of verify::rules() has such a case (or is accounted for elsewhere).
#include <set>
#include <string>

#include "tests/unit/verify_rule_cases.h"

namespace btfcheck::testing {
namespace {

class RuleCase : public ::testing::TestWithParam<size_t> {};

TEST_P(RuleCase, GoodIsCleanBadReportsTheRule) {
  const Case& c = cases()[GetParam()];
  SCOPED_TRACE(c.rule);
  const Neg n = c.make();
  const verify::Report good = check(n.good, nullptr, n.opts, n.target);
  EXPECT_TRUE(good.valid()) << dump(good);
  const verify::Report bad = check(n.bad, nullptr, n.opts, n.target);
  EXPECT_TRUE(has(bad, c.rule, n.type_id))
      << "expected [" << c.rule << "] on type " << n.type_id << ", got:\n" << dump(bad);
  // The same corruption in the big-endian encoding reports the same rule.
  if (n.big_endian_too && n.bad.bytes.size() >= 24 && n.bad.bytes.size() < (1u << 20)) {
    std::optional<btf::Target> t = n.target;
    if (t) t->endian = btf::Endian::Big;
    const verify::Report be = check(to_big_endian(n.bad), nullptr, n.opts, t);
    EXPECT_TRUE(has(be, c.rule, n.type_id)) << "big endian:\n" << dump(be);
  }
}

INSTANTIATE_TEST_SUITE_P(AllRules, RuleCase, ::testing::Range<size_t>(0, cases().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           std::string name = cases()[info.param].rule;
                           for (char& ch : name)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

// Rules whose negative test lives elsewhere, or that no input can trigger.
const std::set<std::string> kElsewhere = {
    "archive.multiple",  // verify_cli_test: CliArchive.*
    "archive.trailing",  // verify_cli_test: CliArchive.TrailingGarbage
    "type.too-many",     // needs 2^32 type ids: unreachable with real memory
    "base.distilled",    // a property of the ELF: verify_releases_test, Releases.*
    // .BTF.base and relocation onto --base: relocate_test, Relocate.*; verify_cli_test.
    "distilled.kind", "distilled.anon", "relocate.missing", "relocate.kind", "relocate.size",
    "relocate.ambiguous", "relocate.string",
};

TEST(RuleTable, EveryRuleHasANegativeTest) {
  std::set<std::string> tested;
  for (const Case& c : cases()) tested.insert(c.rule);
  for (const verify::RuleInfo& r : verify::rules()) {
    const std::string id(r.id);
    EXPECT_TRUE(tested.count(id) || kElsewhere.count(id)) << "no negative test for " << id;
  }
  for (const std::string& id : tested) EXPECT_NE(verify::find_rule(id), nullptr) << id;
}

TEST(RuleTable, IdsAreUniqueAndListed) {
  std::set<std::string_view> ids;
  for (const verify::RuleInfo& r : verify::rules()) EXPECT_TRUE(ids.insert(r.id).second) << r.id;
  const std::string table = verify::rule_table();
  for (const verify::RuleInfo& r : verify::rules())
    EXPECT_NE(table.find(std::string(r.id)), std::string::npos) << r.id;
}

// --- positive images -----------------------------------------------------------------------

TEST(VerifyValid, EveryKindLittleAndBigEndian) {
  AllKinds k = all_kinds();
  for (Endian e : {Endian::Little, Endian::Big}) {
    const verify::Report r = check(k.b.build(e));
    EXPECT_TRUE(r.valid()) << dump(r);
    EXPECT_EQ(r.types, k.b.next_id() - 1);
  }
}

TEST(VerifyValid, KernelBuiltinProfileToo) {
  AllKinds k = all_kinds();
  const verify::Report r = check(k.b.build(), nullptr, verify::Options::kernel_builtin());
  EXPECT_TRUE(r.valid()) << dump(r);
}

TEST(VerifyValid, ReverseTypedefChainIsFine) {  // each typedef points at a lower id
  BtfBuilder b;
  uint32_t prev = b.add_int("int", 4, 32);
  for (int k = 0; k < 100; ++k) prev = b.add_typedef("t", prev);
  EXPECT_TRUE(check(b.build()).valid());
}

// --- options -------------------------------------------------------------------------------

TEST(VerifyOptions, DotsInIdentifiersDependOnLegacyNames) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  uint32_t t = b.add_typedef("a.b", i);
  b.add_datasec("my sec!", 4, {{b.add_var("v", i), 0, 4}});
  EXPECT_TRUE(check(b.build()).valid());
  verify::Options legacy;
  legacy.legacy_names = true;
  legacy.section_names = verify::SectionNames::IdentDot;
  const verify::Report r = check(b.build(), nullptr, legacy);
  EXPECT_TRUE(has(r, "name.invalid", t)) << dump(r);
  EXPECT_TRUE(has(r, "name.invalid", t + 2)) << dump(r);  // the DATASEC
}

TEST(VerifyOptions, NameLengthLimitAndLatin1) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  uint32_t ok = b.add_typedef(std::string(512, 'a'), i);
  uint32_t longer = b.add_typedef(std::string(513, 'a'), i);
  uint32_t latin1 = b.add_typedef("caf\xe9", i);     // Latin-1 e-acute: a letter for the kernel
  uint32_t utf8 = b.add_typedef("caf\xc3\xa9", i);   // UTF-8: 0xA9 is not alphanumeric
  const verify::Report r = check(b.build());
  EXPECT_FALSE(has(r, "name.invalid", ok));
  EXPECT_TRUE(has(r, "name.invalid", longer));
  EXPECT_FALSE(has(r, "name.invalid", latin1));
  EXPECT_TRUE(has(r, "name.invalid", utf8));
  verify::Options old;
  old.ksym_name_len = 128;
  EXPECT_TRUE(has(check(b.build(), nullptr, old), "name.invalid", ok));
}

TEST(VerifyOptions, TagKindFlag) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  uint32_t v = b.add_var("v", i);
  uint32_t d = b.add_decl_tag("attr", v, -1, true);
  uint32_t t = b.add_type_tag("attr", i, true);
  EXPECT_TRUE(check(b.build()).valid());
  verify::Options strict;
  strict.strict_tag_kflag = true;
  const verify::Report r = check(b.build(), nullptr, strict);
  EXPECT_TRUE(has(r, "type.kflag", d));
  EXPECT_TRUE(has(r, "type.kflag", t));
}

TEST(VerifyOptions, KernelBuiltinSkipsResolveAndCaps) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  uint32_t p = b.add_ptr(999);           // missing: only pass 2 notices
  uint32_t c = b.add_const(p);
  const verify::Report user = check(b.build());
  EXPECT_TRUE(has(user, "resolve.missing", p)) << dump(user);
  const verify::Report builtin = check(b.build(), nullptr, verify::Options::kernel_builtin());
  EXPECT_FALSE(has(builtin, "resolve.missing", p)) << dump(builtin);
  (void)i;
  (void)c;
}

TEST(VerifyOptions, PointerSize) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  uint32_t s = b.add_struct("s", 8, {{"a", i, 0}, {"p", b.add_ptr(i), 32}});
  EXPECT_TRUE(has(check(b.build()), "struct.member-size", s));
  verify::Options p32;
  p32.ptr_size = 4;
  EXPECT_TRUE(check(b.build(), nullptr, p32).valid());
}

// --- split BTF -----------------------------------------------------------------------------

TEST(VerifySplit, ValidSplitOnBase) {
  AllKinds k = all_kinds();
  auto base = k.b.build().parse();
  ASSERT_TRUE(base.ok());
  BtfBuilder s = BtfBuilder::split(**base);
  uint32_t p = s.add_ptr(k.s);                        // base type
  uint32_t m = s.add_struct("mod", 16, {{"x", k.td, 0}, {"p", p, 64}});
  s.add_typedef("int_t", k.i32);                      // name reused from the base
  s.add_decl_tag("tag", m, 1);
  const verify::Report r = check(s.build(), *base);
  EXPECT_TRUE(r.valid()) << dump(r);
  EXPECT_EQ(r.types, 4u);
}

TEST(VerifySplit, StringRulesForSplit) {
  AllKinds k = all_kinds();
  auto base = k.b.build().parse();
  ASSERT_TRUE(base.ok());
  BtfBuilder s = BtfBuilder::split(**base);
  s.add_ptr(k.i32);  // no strings of its own: empty string section is fine
  EXPECT_TRUE(check(s.build(), *base).valid());
  BtfBuilder t = BtfBuilder::split(**base);
  t.add_typedef("x", k.i32);  // string section "x\0": first byte need not be NUL
  EXPECT_TRUE(check(t.build(), *base).valid());
}

TEST(VerifySplit, OnlyOwnTypesReportedIdsContinueBase) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  b.add_ptr(999);  // broken base type: not the split's business
  auto base = b.build().parse();
  ASSERT_TRUE(base.ok());
  BtfBuilder s = BtfBuilder::split(**base);
  uint32_t p = s.add_ptr(i);
  uint32_t q = s.add_ptr(1000);
  uint32_t nm = s.str("1bad");
  uint32_t t = s.add_typedef("ok", p);
  Image img = s.build();
  img.set_word(t, 0, nm);
  const verify::Report r = check(img, *base);
  EXPECT_EQ(p, 3u);
  EXPECT_TRUE(has(r, "resolve.missing", q)) << dump(r);
  EXPECT_TRUE(has(r, "name.invalid", t)) << dump(r);
  for (const verify::Violation& v : r.violations) EXPECT_GE(v.type_id, 3u) << dump(r);
  EXPECT_FALSE(r.violations.empty());
}

TEST(VerifySplit, BrokenBaseDoesNotHideSplitTypes) {
  BtfBuilder b;
  b.add_int("int", 4, 32);
  b.add_ptr(3);  // points past the base: at the split's first type
  auto base = b.build().parse();
  ASSERT_TRUE(base.ok());
  BtfBuilder s = BtfBuilder::split(**base);
  uint32_t p = s.add_ptr(999);
  const verify::Report r = check(s.build(), *base);
  EXPECT_TRUE(has(r, "resolve.missing", p)) << dump(r);
}

TEST(VerifySplit, SplitStringOffsetBelowOwnSectionResolvesInBase) {
  AllKinds k = all_kinds();
  auto base = k.b.build().parse();
  ASSERT_TRUE(base.ok());
  BtfBuilder s = BtfBuilder::split(**base);
  uint32_t t = s.add_typedef("fresh", k.i32);
  Image img = s.build();
  img.set_word(t, 0, (*base)->str_end() + 100);  // past the split's strings
  EXPECT_TRUE(has(check(img, *base), "name.offset", t));
}

}  // namespace
}  // namespace btfcheck::testing
