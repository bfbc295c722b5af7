// `dump` must not crash, hang or explode on malformed BTF: deterministic mutations of an
// image holding every kind (bit flips, small and random words, in both byte orders) go
// through raw, json and c. raw and json must always succeed; c either prints or refuses
// with a dump.* rule (the guard in front of libbpf), never anything else.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "btf/dump.h"
#include "btf_builder.h"

namespace btfcheck::testing {
namespace {

BtfBuilder every_kind() {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  uint32_t c = b.add_int("char", 1, 8, kIntChar);
  uint32_t p = b.add_ptr(0);
  uint32_t arr = b.add_array(c, i, 16);
  uint32_t fwd = b.add_fwd("opaque");
  uint32_t pf = b.add_ptr(fwd);
  uint32_t e = b.add_enum("e", 4, {{"A", -1}, {"B", 2}}, true);
  uint32_t e64 = b.add_enum64("e64", 8, {{"X", int64_t(1) << 40}});
  uint32_t fl = b.add_float("double", 8);
  uint32_t s = b.add_struct("s", 48,
                            {{"a", i, 0, 3}, {"b", i, 3, 5}, {"p", p, 64}, {"arr", arr, 128},
                             {"e", e, 256}, {"e64", e64, 320}, {"pf", pf, 256 + 128}},
                            true);
  uint32_t self = b.add_ptr(s);
  uint32_t u = b.add_union("u", 8, {{"d", fl, 0}, {"self", self, 0}});
  uint32_t td = b.add_typedef("u_t", u);
  uint32_t cv = b.add_const(b.add_volatile(td));
  uint32_t tt = b.add_type_tag("user", i);
  uint32_t rp = b.add_restrict(b.add_ptr(tt));
  uint32_t proto = b.add_func_proto(i, {{"x", cv}, {"y", rp}, {"", 0}});
  uint32_t fn = b.add_func("fn", proto, kFuncGlobal);
  uint32_t v = b.add_var("v", s, kVarGlobal);
  b.add_datasec(".data", 48, {{v, 0, 48}});
  b.add_decl_tag("tag", fn, 1);
  b.add_decl_tag("vtag", v);
  return b;
}

void mutate(std::vector<uint8_t>& b, std::mt19937& rng) {
  const size_t n = 1 + rng() % 4;
  for (size_t k = 0; k < n; ++k) {
    const size_t pos = 24 + rng() % (b.size() - 24);   // keep the header, hit the sections
    const size_t w = pos & ~size_t(3);
    switch (rng() % 4) {
      case 0: b[pos] ^= uint8_t(1u << (rng() % 8)); break;
      case 1: b[pos] = uint8_t(rng()); break;
      case 2:
      case 3:
        if (w + 4 <= b.size()) {
          const uint32_t v = (rng() % 2) ? rng() % 64 : uint32_t(rng());
          std::memcpy(&b[w], &v, 4);
        }
        break;
    }
  }
}

void run_mutations(Endian endian, uint32_t seed, int iterations) {
  const std::vector<uint8_t> seed_bytes = every_kind().bytes(endian);
  std::mt19937 rng(seed);
  int parsed = 0, c_ok = 0;
  for (int it = 0; it < iterations; ++it) {
    std::vector<uint8_t> bytes = seed_bytes;
    mutate(bytes, rng);
    auto btf = btf::Btf::parse(bytes, {"fuzz.btf", "", nullptr});
    if (!btf) continue;
    ++parsed;
    std::string out;
    dump::dump_raw(**btf, out);
    dump::dump_json(**btf, out);
    ASSERT_FALSE(out.empty());
    auto c = dump::dump_c(**btf);
    if (c) {
      ++c_ok;
      EXPECT_NE(c->find("#endif /* __VMLINUX_H__ */"), std::string::npos);
    } else {
      EXPECT_EQ(c.error().rule.rfind("dump.", 0), 0u) << c.error().str();
    }
  }
  EXPECT_GT(parsed, iterations / 4);
  EXPECT_GT(c_ok, 0);
}

TEST(DumpRobust, UnmutatedImageDumpsInEveryFormat) {
  auto btf = every_kind().build().parse();
  ASSERT_TRUE(btf.ok());
  auto c = dump::dump_c(**btf);
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_NE(c->find("struct s {"), std::string::npos) << *c;
}

TEST(DumpRobust, MutatedLittleEndian) { run_mutations(Endian::Little, 1, 500); }
TEST(DumpRobust, MutatedBigEndian) { run_mutations(Endian::Big, 2, 500); }

}  // namespace
}  // namespace btfcheck::testing
