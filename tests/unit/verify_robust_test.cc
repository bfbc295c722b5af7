// Robustness of the verifier: truncation at every length, seeded random corruption, deep
// and cyclic graphs far beyond MAX_RESOLVE_DEPTH (no recursion on input depth, linear
// work, one violation per problem), and deterministic output.
#include <chrono>
#include <random>

#include "verify_test_util.h"

namespace btfcheck::testing {
namespace {

// Every prefix of a valid image parses or fails cleanly, and is never valid.
TEST(VerifyRobust, TruncatedAtEveryLength) {
  AllKinds k = all_kinds();
  for (Endian e : {Endian::Little, Endian::Big}) {
    const Image img = k.b.build(e);
    for (size_t len = 0; len < img.bytes.size(); ++len) {
      Image cut = img;
      cut.bytes.resize(len);
      const verify::Report r = check(cut);
      EXPECT_FALSE(r.valid()) << "prefix of " << len << " bytes";
    }
  }
}

// Random byte flips and random type-section words: always a result, same result twice.
TEST(VerifyRobust, SeededRandomCorruption) {
  AllKinds k = all_kinds();
  auto base = k.b.build().parse();
  ASSERT_TRUE(base.ok());
  BtfBuilder sb = BtfBuilder::split(**base);
  uint32_t sp = sb.add_ptr(k.s);
  sb.add_struct("m", 16, {{"x", k.td, 0}, {"p", sp, 64}});
  sb.add_decl_tag("t", sp + 1, 0);
  const Image split = sb.build();

  std::mt19937 rng(20240611);
  const uint32_t interesting[] = {0, 1, 2, 3, 7, 8, 31, 32, 0x80, 0xff, 0x7fffffff, 0x80000000,
                                  0xffffffff, 0x000fffff, 0x00100000, 0x01000000, 0x13000000,
                                  0x84000001, 0x0d000002};
  size_t total = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const bool use_split = iter % 4 == 3;
    Image img = use_split ? split : k.b.build(iter % 2 ? Endian::Big : Endian::Little);
    if (iter % 3 == 0) {
      const int flips = 1 + int(rng() % 4);
      for (int f = 0; f < flips; ++f) img.bytes[rng() % img.bytes.size()] ^= uint8_t(1 + rng() % 255);
    } else {
      const uint32_t words = img.type_len / 4;
      const int edits = 1 + int(rng() % 3);
      for (int f = 0; f < edits; ++f) {
        const uint64_t at = img.type_start + 4ull * (rng() % words);
        const uint32_t v = rng() % 2 ? interesting[rng() % std::size(interesting)]
                                     : img.u32(at) ^ (1u << (rng() % 32));
        img.set_u32(at, v);
      }
    }
    const auto b = use_split ? *base : nullptr;
    const verify::Report r1 = check(img, b);
    const verify::Report r2 = check(img, b);
    ASSERT_EQ(dump(r1), dump(r2)) << "iteration " << iter;
    for (const verify::Violation& v : r1.violations) {
      EXPECT_NE(verify::find_rule(v.rule), nullptr) << v.rule;
      EXPECT_LE(v.offset, img.bytes.size()) << v.rule;
    }
    total += r1.violations.size();
  }
  EXPECT_GT(total, 0u);
}

// typedef [2] -> [3] -> ... -> [100001] -> int: the kernel fails at depth 32. One depth
// violation and one chain violation, both at the head.
TEST(VerifyRobust, DeepForwardTypedefChain) {
  constexpr uint32_t kLen = 100000;
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  for (uint32_t k = 0; k < kLen; ++k) b.add_typedef("t", k + 1 == kLen ? i : b.next_id() + 1);
  const auto t0 = std::chrono::steady_clock::now();
  const verify::Report r = check(b.build());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(has(r, "resolve.depth", 2)) << dump(r);
  EXPECT_TRUE(has(r, "type_tag.chain", 2)) << dump(r);
  EXPECT_EQ(r.violations.size(), 2u) << dump(r);
  EXPECT_LT(secs, 30.0);
}

// The same chain pointing backwards resolves link by link: valid.
TEST(VerifyRobust, DeepBackwardTypedefChainIsValid) {
  BtfBuilder b;
  uint32_t prev = b.add_int("int", 4, 32);
  for (uint32_t k = 0; k < 100000; ++k) prev = b.add_typedef("t", prev);
  const verify::Report r = check(b.build());
  EXPECT_TRUE(r.valid()) << dump(r);
}

// struct s_k { struct s_{k+1} m; } for 200k structs: value embedding 200k deep.
TEST(VerifyRobust, DeepStructEmbedding) {
  constexpr uint32_t kLen = 200000;
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  for (uint32_t k = 0; k < kLen; ++k)
    b.add_struct("s", 4, {{"m", k + 1 == kLen ? i : b.next_id() + 1, 0}});
  const verify::Report r = check(b.build());
  EXPECT_TRUE(has(r, "resolve.depth", 2)) << dump(r);
  EXPECT_EQ(r.violations.size(), 1u) << dump(r);
}

TEST(VerifyRobust, PointerLoops) {
  BtfBuilder b;
  uint32_t a = b.add_ptr(b.next_id() + 1);  // [1] PTR -> [2]
  b.add_ptr(a);                             // [2] PTR -> [1]
  uint32_t self = b.add_ptr(b.next_id());   // [3] PTR -> [3]
  uint32_t c = b.add_ptr(b.next_id() + 1);  // [4] PTR -> [5] CONST -> [4]
  b.add_const(c);
  const verify::Report r = check(b.build());
  EXPECT_TRUE(has(r, "resolve.loop", a)) << dump(r);
  EXPECT_TRUE(has(r, "resolve.loop", self)) << dump(r);
  EXPECT_TRUE(has(r, "resolve.loop", c)) << dump(r);
  EXPECT_EQ(count_rule(r, "resolve.loop"), 3u) << dump(r);
  EXPECT_EQ(r.violations.size(), 3u) << dump(r);
}

TEST(VerifyRobust, ValueLoopsButPointerBreaksThem) {
  BtfBuilder b;
  uint32_t a = b.add_struct("a", 4, {{"b", b.next_id() + 1, 0}});  // a { struct b b; }
  b.add_struct("b", 4, {{"a", a, 0}});                              // b { struct a a; }
  uint32_t self = b.add_struct("self", 4, {{"me", b.next_id(), 0}});
  uint32_t ok = b.add_struct("node", 8, {{"next", b.next_id() + 1, 0}});
  b.add_ptr(ok);
  const verify::Report r = check(b.build());
  EXPECT_TRUE(has(r, "resolve.loop", a)) << dump(r);
  EXPECT_TRUE(has(r, "resolve.loop", self)) << dump(r);
  EXPECT_EQ(r.violations.size(), 2u) << dump(r);
}

// A million pointers in one ring: stack far beyond any recursion limit.
TEST(VerifyRobust, MillionPointerRing) {
  constexpr uint32_t kLen = 1000000;
  BtfBuilder b;
  for (uint32_t k = 1; k <= kLen; ++k) b.add_ptr(k == kLen ? 1 : k + 1);
  const verify::Report r = check(b.build());
  EXPECT_TRUE(has(r, "resolve.depth", 1)) << dump(r);
  EXPECT_TRUE(has(r, "resolve.loop", 1)) << dump(r);
  EXPECT_EQ(r.violations.size(), 2u) << dump(r);
}

// 100k CONSTs in a ring: resolve loop, and the tag pass sees one cycle, not 100k.
TEST(VerifyRobust, ModifierRing) {
  constexpr uint32_t kLen = 100000;
  BtfBuilder b;
  for (uint32_t k = 1; k <= kLen; ++k) b.add_const(k == kLen ? 1 : k + 1);
  const verify::Report r = check(b.build());
  EXPECT_TRUE(has(r, "resolve.loop", 1)) << dump(r);
  EXPECT_TRUE(has(r, "type_tag.chain", 1)) << dump(r);
  EXPECT_EQ(count_rule(r, "type_tag.chain"), 1u);
  EXPECT_EQ(count_rule(r, "resolve.loop"), 1u);
}

// A bad type used by many others is reported once, not once per user.
TEST(VerifyRobust, NoCascades) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  uint32_t bad = b.add_typedef("bad", 999);   // missing target
  uint32_t arr = b.add_array(bad, i, 4);
  for (int k = 0; k < 50; ++k) {
    b.add_struct("user", 16, {{"x", bad, 0}, {"y", arr, 0}});
    b.add_const(bad);
    b.add_var("v", bad);
  }
  const verify::Report r = check(b.build());
  EXPECT_TRUE(has(r, "resolve.missing", bad)) << dump(r);
  EXPECT_EQ(r.violations.size(), 1u) << dump(r);
}

TEST(VerifyRobust, ViolationsSortedByOffsetThenRule) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 33);
  b.add_struct("s", 2, {{"a", i, 0}, {"b", i, 64}});
  Image img = b.build();
  img.set_header(HeaderField::Flags, 1);
  const verify::Report r = check(img);
  ASSERT_GE(r.violations.size(), 3u);
  for (size_t k = 1; k < r.violations.size(); ++k) {
    const auto& p = r.violations[k - 1];
    const auto& q = r.violations[k];
    EXPECT_TRUE(p.offset < q.offset || (p.offset == q.offset && p.rule <= q.rule)) << dump(r);
  }
}

}  // namespace
}  // namespace btfcheck::testing
