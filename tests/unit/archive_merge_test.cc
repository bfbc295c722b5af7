// The canonical archive merge (encode archive --dedup=canonical): never merges types that
// are not structurally equal, unifies forwards when unambiguous (also through cycles of
// forwards, which a decide-forwards-first merge never settles), reports what stays
// ambiguous, and agrees with libbpf's merge where that one is already minimal.
#include <gtest/gtest.h>

#include <random>

#include "btf/btf.h"
#include "comparator/canon/canon.h"
#include "comparator/diff/diff.h"
#include "comparator/verify/verify.h"
#include "encoder/archive/archive.h"
#include "tests/unit/btf_builder.h"
#include "tests/unit/btf_rewrite.h"
#include "tests/unit/test_inputs.h"

namespace btfcheck {
namespace {

using testing::BtfBuilder;

std::vector<uint8_t> concat(const std::vector<std::vector<uint8_t>>& blobs) {
  std::vector<uint8_t> out;
  for (const auto& b : blobs) {
    out.insert(out.end(), b.begin(), b.end());
    while (out.size() % 8) out.push_back(0);   // as ld pads .BTF input sections
  }
  return out;
}

std::vector<uint8_t> bytes_of(const BtfBuilder& b) { return b.build().bytes; }

struct Merged {
  std::shared_ptr<const btf::Btf> btf;
  archive::Ambiguities amb;
  archive::Stats stats;
};

Merged merge(const std::vector<std::vector<uint8_t>>& members,
             const std::vector<std::string>& rules = {}) {
  Merged m;
  const auto archive_bytes = concat(members);
  auto r = archive::merge_canonical(archive_bytes, "test.btf", "", nullptr, &m.amb, rules);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().str());
  if (!r.ok()) return m;
  m.stats = r->stats;
  auto p = btf::Btf::parse(r->bytes, {});
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().str());
  if (p.ok()) m.btf = *p;
  return m;
}

size_t count_lines(const std::string& text, const std::string& prefix) {
  size_t n = 0, pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    n += text.compare(pos, prefix.size(), prefix) == 0;
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return n;
}

std::string canon_text(const btf::Btf& b) { return canon::text(canon::build(b)); }

TEST(ArchiveMerge, DifferentSameNamedTypesStayApart) {
  BtfBuilder a, b;
  const uint32_t ia = a.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t ca = a.add_int("char", 1, 8, testing::kIntSigned);
  a.add_struct("clash", 8, {{"a", ia, 0}, {"b", ca, 32}});
  const uint32_t lb = b.add_int("long", 8, 64, testing::kIntSigned);
  b.add_struct("clash", 24, {{"x", lb, 0}, {"y", lb, 64}, {"z", lb, 128}});
  const Merged m = merge({bytes_of(a), bytes_of(b)});
  ASSERT_TRUE(m.btf);
  EXPECT_EQ(count_lines(canon_text(*m.btf), "struct clash#"), 2u) << canon_text(*m.btf);
  EXPECT_TRUE(verify::verify(*m.btf).valid());
}

TEST(ArchiveMerge, IdenticalMembersCollapseToOne) {
  BtfBuilder a;
  const uint32_t i = a.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t s = a.add_struct("node", 16, {{"v", i, 0}});
  const uint32_t p = a.add_ptr(s);
  a.add_func("f", a.add_func_proto(i, {{"n", p}}), testing::kFuncGlobal);
  const Merged m = merge({bytes_of(a), bytes_of(a), bytes_of(a)});
  ASSERT_TRUE(m.btf);
  EXPECT_EQ(m.stats.members, 3u);
  EXPECT_EQ(m.btf->own_count(), 5u);   // int, struct, ptr, proto, func
  EXPECT_TRUE(m.amb.forwards.empty() && m.amb.funcs.empty());
}

// Two definitions that refer to each other, each member seeing the other only as a FWD:
// unifying forwards only after definitions are equal would never merge them.
TEST(ArchiveMerge, ForwardCyclesUnify) {
  auto member = [](bool x_defined, bool y_defined) {
    BtfBuilder b;
    const uint32_t fx = x_defined ? 0 : b.add_fwd("X");
    const uint32_t fy = y_defined ? 0 : b.add_fwd("Y");
    // X { struct Y *y; } and Y { struct X *x; }, with ids fixed up below.
    const uint32_t px = b.add_ptr(fx), py = b.add_ptr(fy);
    uint32_t x = fx, y = fy;
    if (x_defined) x = b.add_struct("X", 8, {{"y", py, 0}});
    if (y_defined) y = b.add_struct("Y", 8, {{"x", px, 0}});
    // Point the pointers at the definitions where this member has them.
    auto img = b.build();
    if (x_defined) img.set_word(px, 2, x);
    if (y_defined) img.set_word(py, 2, y);
    return img.bytes;
  };
  const Merged m = merge({member(true, true), member(true, false), member(false, true)});
  ASSERT_TRUE(m.btf);
  const std::string text = canon_text(*m.btf);
  EXPECT_EQ(count_lines(text, "struct X"), 1u) << text;
  EXPECT_EQ(count_lines(text, "struct Y"), 1u) << text;
  EXPECT_EQ(count_lines(text, "fwd "), 0u) << text;
  EXPECT_TRUE(m.amb.forwards.empty());
}

TEST(ArchiveMerge, AmbiguousForwardIsReportedNotGuessed) {
  BtfBuilder a, b, c;
  const uint32_t ia = a.add_int("int", 4, 32, testing::kIntSigned);
  a.add_struct("X", 4, {{"a", ia, 0}});
  const uint32_t lb = b.add_int("long", 8, 64, testing::kIntSigned);
  b.add_struct("X", 8, {{"b", lb, 0}});
  const uint32_t fx = c.add_fwd("X");
  c.add_struct("holder", 8, {{"x", c.add_ptr(fx), 0}});
  const Merged m = merge({bytes_of(a), bytes_of(b), bytes_of(c)});
  ASSERT_TRUE(m.btf);
  ASSERT_EQ(m.amb.forwards.size(), 1u);
  EXPECT_EQ(m.amb.forwards[0], "struct X: 2 definitions");
  EXPECT_EQ(count_lines(canon_text(*m.btf), "fwd struct X"), 1u);
}

TEST(ArchiveMerge, ConflictingFunctionPrototypesReported) {
  BtfBuilder a, b;
  const uint32_t ia = a.add_int("int", 4, 32, testing::kIntSigned);
  a.add_func("f", a.add_func_proto(ia, {{"x", ia}}), testing::kFuncGlobal);
  const uint32_t ib = b.add_int("int", 4, 32, testing::kIntSigned);
  b.add_func("f", b.add_func_proto(ib, {{"x", ib}, {"y", ib}}), testing::kFuncGlobal);
  const Merged m = merge({bytes_of(a), bytes_of(b)});
  ASSERT_TRUE(m.btf);
  EXPECT_EQ(m.amb.funcs, std::vector<std::string>{"func f: 2 prototypes"});
}

TEST(ArchiveMerge, RulesParamNamesAndFwdKind) {
  // Member a names the parameter and defines enum E; member b leaves the parameter
  // unnamed and, as gcc 12 does for an incomplete enum, has a struct FWD named E.
  BtfBuilder a, b;
  const uint32_t ia = a.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t ea = a.add_enum("E", 4, {{"E_A", 1}});
  a.add_struct("S", 8, {{"e", a.add_ptr(ea), 0}});
  a.add_func("g", a.add_func_proto(ia, {{"count", ia}}), testing::kFuncGlobal);
  const uint32_t ib = b.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t fe = b.add_fwd("E");
  b.add_struct("S", 8, {{"e", b.add_ptr(fe), 0}});
  b.add_func("g", b.add_func_proto(ib, {{"", ib}}), testing::kFuncGlobal);
  const Merged strict = merge({bytes_of(b), bytes_of(a)});
  ASSERT_TRUE(strict.btf);
  EXPECT_EQ(count_lines(canon_text(*strict.btf), "struct S#"), 2u);
  const Merged m = merge({bytes_of(b), bytes_of(a)}, {"param-names", "fwd-kind"});
  ASSERT_TRUE(m.btf);
  const std::string text = canon_text(*m.btf);
  EXPECT_EQ(count_lines(text, "struct S"), 1u) << text;
  EXPECT_EQ(count_lines(text, "func g"), 1u) << text;
  // The copy with the parameter name is kept, though the nameless one came first.
  EXPECT_NE(text.find("func g := func global fn(int count) -> int"), std::string::npos) << text;
  // A rule that would rewrite records unfaithfully is refused.
  auto bad = archive::merge_canonical(concat({bytes_of(a)}), "t", "", nullptr, nullptr, {"int-names"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().rule, "usage.rule");
}

// Real kernel types: merging a slice with itself is the slice; merging it with a one-field
// mutation of itself keeps the mutated type apart (never merged into the original).
TEST(ArchiveMerge, MutationsAreNeverMerged) {
  std::string why;
  auto full = testing::open_real(testing::cloud_vmlinux_path(), why);
  if (!full) full = testing::open_real(testing::sysfs_vmlinux_path(), why);
  if (!full) GTEST_SKIP() << why;
  std::mt19937_64 rng(7);
  int done = 0;
  for (uint64_t seed = 1; seed < 40 && done < 60; ++seed) {
    const std::vector<uint8_t> slice = testing::slice(*full, seed, 3);
    auto sb = btf::Btf::parse(slice, {});
    ASSERT_TRUE(sb.ok());
    const canon::Graph gs = canon::build(**sb);
    const Merged self = merge({slice, slice});
    ASSERT_TRUE(self.btf);
    ASSERT_EQ(diff::diff(gs, canon::build(*self.btf)).unsuppressed(), 0u);
    for (int k = 0; k < 10; ++k) {
      auto mut = testing::mutate(**sb, rng);
      if (!mut) continue;
      const Merged m = merge({slice, mut->bytes});
      ASSERT_TRUE(m.btf);
      // The mutated variant survives next to the original: the merge differs from the
      // slice, and has more types than the slice merged with itself.
      const diff::Report r = diff::diff(gs, canon::build(*m.btf));
      ASSERT_GT(r.unsuppressed(), 0u) << "mutation merged away: " << mut->category << " at " << mut->path;
      EXPECT_GT(m.btf->own_count(), self.btf->own_count()) << mut->category << " at " << mut->path;
      ++done;
    }
  }
  EXPECT_GE(done, 60);
}

}  // namespace
}  // namespace btfcheck
