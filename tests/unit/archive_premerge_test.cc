// The canonical merge's pre-merge (encoder/archive/premerge.cc): members' types mapped
// onto earlier copies before refinement. It must never change an output byte: every test
// merges with the pre-merge on and off and compares the bytes, and checks that it did map
// (or, where it must not, did not) what the case is about.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "btf/btf.h"
#include "canon/canon.h"
#include "encoder/archive/archive.h"
#include "tests/unit/btf_builder.h"
#include "tests/unit/btf_rewrite.h"
#include "tests/unit/test_inputs.h"
#include "tests/unit/require.h"
#include "tests/unit/text_util.h"

namespace btfcheck {
namespace {

using testing::BtfBuilder;

using testing::bytes_of;
using testing::ld_concat;

struct Both {
  archive::Stats with, without;
  archive::Ambiguities amb;
  std::shared_ptr<const btf::Btf> btf;
  std::string text;
};

// Merges with and without the pre-merge; the bytes and ambiguities must be the same.
Both merge_both(const std::vector<std::vector<uint8_t>>& members,
                const std::vector<std::string>& rules = {}, bool sanitize = true) {
  Both r;
  const auto bytes = ld_concat(members);
  archive::Ambiguities amb_off;
  auto on = archive::merge_canonical(bytes, "t", "", nullptr, &r.amb,
                                     archive::CanonicalOptions{rules, sanitize, 0, true});
  auto off = archive::merge_canonical(bytes, "t", "", nullptr, &amb_off,
                                      archive::CanonicalOptions{rules, sanitize, 0, false});
  EXPECT_TRUE(on.ok() && off.ok());
  if (!on.ok() || !off.ok()) return r;
  EXPECT_EQ(on->bytes, off->bytes) << "the pre-merge changed the output";
  EXPECT_EQ(r.amb.forwards, amb_off.forwards);
  EXPECT_EQ(r.amb.funcs, amb_off.funcs);
  EXPECT_EQ(off->stats.premerge_mapped, 0u);
  r.with = on->stats;
  r.without = off->stats;
  auto p = btf::Btf::parse(on->bytes, {});
  EXPECT_TRUE(p.ok());
  if (p.ok()) r.btf = *p, r.text = canon::text(canon::build(**p));
  return r;
}

using testing::count_lines;

// struct node { int v; struct node *next; } (a cycle through a pointer), a prototype and
// a function; `width` changes the int (a differing member).
std::vector<uint8_t> list_member(uint32_t width = 4) {
  BtfBuilder b;
  const uint32_t i = b.add_int(width == 4 ? "int" : "long", width, width * 8, testing::kIntSigned);
  const uint32_t p = b.add_ptr(0);
  const uint32_t s = b.add_struct("node", 16, {{"v", i, 0}, {"next", p, 64}});
  b.set_word(p, 2, s);
  b.add_func("walk", b.add_func_proto(i, {{"n", p}}), testing::kFuncGlobal);
  return bytes_of(b);
}

TEST(ArchivePremerge, IdenticalMembersMapAndOneDifferingMemberStays) {
  std::vector<std::vector<uint8_t>> members(20, list_member());
  members.push_back(list_member(8));
  members.push_back(list_member());
  const Both m = merge_both(members);
  ASSERT_TRUE(m.btf);
  // Everything of the 19 later identical copies is mapped (5 own types each), the
  // differing member's types are all kept (its int differs, and all else reaches it).
  EXPECT_EQ(m.with.premerge_mapped, 20u * 5u);
  EXPECT_EQ(m.with.premerge_kept, 2u * 5u);
  EXPECT_EQ(m.without.premerge_kept, 22u * 5u);
  EXPECT_EQ(count_lines(m.text, "struct node#"), 2u) << m.text;
  EXPECT_EQ(m.amb.funcs, std::vector<std::string>{"func walk: 2 prototypes"});
}

// Members are paired in batches (1, 1, 2, 4, ... members): first against the kept types of
// earlier batches, in parallel, then against those of the batch's earlier members. A
// type new in a batch and repeated within it (members 4 and 5 of the batch [4, 8)) is kept
// once; every -j gives the same mapping.
TEST(ArchivePremerge, TypesNewInABatchMapWithinIt) {
  std::vector<std::vector<uint8_t>> members(8, list_member());
  members[4] = members[5] = list_member(8);
  const auto bytes = ld_concat(members);
  for (unsigned jobs : {1u, 2u, 5u}) {
    auto r = archive::merge_canonical(bytes, "t", "", nullptr, nullptr,
                                      archive::CanonicalOptions{{}, true, jobs, true});
    ASSERT_TRUE(r.ok()) << r.error().str();
    EXPECT_EQ(r->stats.premerge_kept, 2u * 5u) << "-j " << jobs;
    EXPECT_EQ(r->stats.premerge_mapped, 6u * 5u) << "-j " << jobs;
  }
  const Both m = merge_both(members);
  ASSERT_TRUE(m.btf);
  EXPECT_EQ(count_lines(m.text, "struct node#"), 2u) << m.text;
}

TEST(ArchivePremerge, SameNamedDifferentStructsStayApart) {
  auto member = [](bool wide, bool fwd) {
    BtfBuilder b;
    const uint32_t i = b.add_int("int", 4, 32, testing::kIntSigned);
    const uint32_t c = fwd ? b.add_fwd("clash")
                           : wide ? b.add_struct("clash", 8, {{"a", i, 0}, {"b", i, 32}})
                                  : b.add_struct("clash", 4, {{"a", i, 0}});
    b.add_struct("holder", 8, {{"c", b.add_ptr(c), 0}});
    return bytes_of(b);
  };
  const Both m = merge_both({member(false, false), member(true, false), member(false, false),
                             member(true, false), member(false, true)});
  ASSERT_TRUE(m.btf);
  EXPECT_EQ(count_lines(m.text, "struct clash#"), 2u) << m.text;
  EXPECT_EQ(m.amb.forwards, std::vector<std::string>{"struct clash: 2 definitions"});
  EXPECT_GT(m.with.premerge_mapped, 0u);   // the repeated members map
}

// A member whose copy differs only in a FWD where the other has the definition: the FWD is
// mapped onto the definition (speculation, confirmed by refinement), so the copy of its
// referrer maps too; a definition is never mapped onto a FWD. Either order.
TEST(ArchivePremerge, ForwardAndDefinitionOfOneStruct) {
  auto member = [](bool defined) {
    BtfBuilder b;
    const uint32_t i = b.add_int("int", 4, 32, testing::kIntSigned);
    const uint32_t f = defined ? b.add_struct("foo", 4, {{"x", i, 0}}) : b.add_fwd("foo");
    b.add_struct("bar", 8, {{"f", b.add_ptr(f), 0}});
    return bytes_of(b);
  };
  for (bool def_first : {true, false}) {
    const Both m = merge_both({member(def_first), member(!def_first), member(true), member(false)});
    ASSERT_TRUE(m.btf);
    EXPECT_EQ(count_lines(m.text, "struct foo"), 1u) << m.text;
    EXPECT_EQ(count_lines(m.text, "struct bar"), 1u) << m.text;
    EXPECT_EQ(count_lines(m.text, "fwd "), 0u) << m.text;
    EXPECT_EQ(m.with.premerge_retries, 0u);
    // At least the int, pointer and bar of each of the three later members map (a FWD
    // onto the definition, a definition only onto a definition).
    EXPECT_GE(m.with.premerge_mapped, 3u * 3u) << def_first;
  }
}

// Speculation that refinement refutes: two definitions of X equal to a depth the candidate
// hash does not see (five pointers deep) and then different. Holders of X map onto each
// other only if X is one type; it is not, so the merge is redone without the pre-merge.
TEST(ArchivePremerge, RefutedSpeculationIsRedone) {
  auto member = [](bool wide) {
    BtfBuilder b;
    const uint32_t i = wide ? b.add_int("long", 8, 64, testing::kIntSigned)
                            : b.add_int("int", 4, 32, testing::kIntSigned);
    uint32_t t = i;
    for (int k = 0; k < 6; ++k) t = b.add_ptr(t);
    const uint32_t x = b.add_struct("X", 8, {{"p", t, 0}});
    b.add_struct("H", 8, {{"x", b.add_ptr(x), 0}});
    return bytes_of(b);
  };
  const Both m = merge_both({member(false), member(true)});
  ASSERT_TRUE(m.btf);
  EXPECT_EQ(count_lines(m.text, "struct X#"), 2u) << m.text;
  EXPECT_EQ(count_lines(m.text, "struct H#"), 2u) << m.text;
  EXPECT_EQ(m.with.premerge_retries, 1u);
}

TEST(ArchivePremerge, RulesParamNamesKeepTheNamedCopy) {
  auto member = [](const char* name) {
    BtfBuilder b;
    const uint32_t i = b.add_int("int", 4, 32, testing::kIntSigned);
    b.add_func("g", b.add_func_proto(i, {{name, i}}), testing::kFuncGlobal);
    return bytes_of(b);
  };
  const Both m = merge_both({member(""), member(""), member("count"), member("")},
                            {"param-names", "type-tag-order", "fwd-kind"});
  ASSERT_TRUE(m.btf);
  EXPECT_NE(m.text.find("func g := func global fn(int count) -> int"), std::string::npos) << m.text;
  EXPECT_GT(m.with.premerge_mapped, 0u);
}

// Real kernel types: overlapping slices (shared types, forwards, cycles) with and without
// rules and sanitize, the same bytes with the pre-merge on and off.
TEST(ArchivePremerge, KernelSlicesSameBytes) {
  std::string why;
  auto full = testing::open_real(testing::cloud_vmlinux_path(), why);
  if (!full) full = testing::open_real(testing::sysfs_vmlinux_path(), why);
  if (!full) BTFCHECK_SKIP("cloud|sysfs") << why;
  std::vector<std::vector<uint8_t>> members;
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    members.push_back(testing::slice(*full, seed, 3));
    members.push_back(testing::slice(*full, seed % 5 + 1, 3));   // repeats
  }
  for (const auto& rules : {std::vector<std::string>{}, std::vector<std::string>{"param-names", "type-tag-order", "fwd-kind"}}) {
    for (bool sanitize : {true, false}) {
      const Both m = merge_both(members, rules, sanitize);
      ASSERT_TRUE(m.btf);
      EXPECT_GT(m.with.premerge_mapped, 0u);
    }
  }
}

}  // namespace
}  // namespace btfcheck
