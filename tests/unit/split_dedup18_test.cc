// encoder/dwarf/split_dedup18.cc: split BTF deduplicated as pahole master's libbpf 1.8 does
// (--compat=pahole-master): a split TYPEDEF never folds into the identical base one, and
// neither does what refers to it; everything else folds as libbpf 1.1 folds it.
#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "encoder/dwarf/batch_encoder.h"
#include "tests/unit/btf_builder.h"

namespace btfcheck::testing {
namespace {

struct BtfDeleter {
  void operator()(struct btf* b) const { btf__free(b); }
};
using Owned = std::unique_ptr<struct btf, BtfDeleter>;

// One line per own type: KIND 'name' -> referenced ids (base ids < start as they are).
std::vector<std::string> lines(const struct btf* b) {
  std::vector<std::string> out;
  const uint32_t start = btf__type_cnt(btf__base_btf(b));
  for (uint32_t id = start; id < btf__type_cnt(b); ++id) {
    const struct btf_type* t = btf__type_by_id(b, id);
    std::string s = std::to_string(id) + " " + std::to_string(btf_kind(t)) + " '" +
                    btf__name_by_offset(b, t->name_off) + "'";
    if (btf_is_ptr(t) || btf_is_typedef(t) || btf_is_const(t)) s += " -> " + std::to_string(t->type);
    if (btf_is_struct(t))
      for (int i = 0; i < btf_vlen(t); ++i) s += " m" + std::to_string(btf_members(t)[i].type);
    out.push_back(s);
  }
  return out;
}

uint32_t str_len(const struct btf* b) {
  uint32_t size = 0;
  const void* raw = btf__raw_data(b, &size);
  return static_cast<const struct btf_header*>(raw)->str_len;
}

// The split blob on `base`, deduplicated as libbpf 1.8 does; null (and a failure) on error.
Owned dedup18(const struct btf* base, const std::vector<uint8_t>& split, std::vector<std::string>* explain) {
  struct btf* pre = encode::btf_from_raw(split, base);
  EXPECT_TRUE(pre);
  if (!pre) return nullptr;
  auto out = encode::dedup_split_libbpf18(pre, explain, "mod.ko");
  btf__free(pre);
  EXPECT_TRUE(out) << (out ? "" : out.error().str());
  return Owned(out ? *out : nullptr);
}

TEST(SplitDedup18, TypedefsAndTheirReferrersStaySplitTheRestFolds) {
  // Base: [1] int, [2] TYPEDEF u8 -> 1, [3] STRUCT list {int a}, [4] PTR -> 3.
  BtfBuilder b;
  const uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_typedef("u8", i);
  const uint32_t list = b.add_struct("list", 4, {{"a", i, 0}});
  b.add_ptr(list);
  const std::vector<uint8_t> base_bytes = b.build().bytes;
  Owned base(btf__new(base_bytes.data(), uint32_t(base_bytes.size())));
  ASSERT_TRUE(base);
  // Split, before dedup: [5] int, [6] TYPEDEF u8 -> 5, [7] PTR -> 6, [8] STRUCT list {int a},
  // [9] PTR -> 8, [10] STRUCT own {u8 x; list *l}, [11] TYPEDEF u8 -> 5 (a second copy).
  BtfBuilder s = BtfBuilder::split(btf__type_cnt(base.get()), str_len(base.get()));
  const uint32_t si = s.add_int("int", 4, 32, kIntSigned);
  const uint32_t su8 = s.add_typedef("u8", si);
  s.add_ptr(su8);
  const uint32_t sl = s.add_struct("list", 4, {{"a", si, 0}});
  const uint32_t slp = s.add_ptr(sl);
  s.add_struct("own", 16, {{"x", su8, 0}, {"l", slp, 64}});
  s.add_typedef("u8", si);
  const std::vector<uint8_t> split_bytes = s.build().bytes;
  std::vector<std::string> explain;
  Owned got = dedup18(base.get(), split_bytes, &explain);
  ASSERT_TRUE(got);
  // int, list and the pointer to list fold into the base; the TYPEDEF stays (once), pointing
  // at the base int; the PTR to it and own refer to that copy, own also to the base's PTR.
  EXPECT_EQ(lines(got.get()), (std::vector<std::string>{
                                  "5 8 'u8' -> 1",
                                  "6 2 '' -> 5",
                                  "7 4 'own' m5 m4",
                              }));
  ASSERT_EQ(explain.size(), 1u);
  EXPECT_NE(explain[0].find("kept 1 types the base also has (1 TYPEDEF: u8; and what refers to them)"), std::string::npos)
      << explain[0];
  EXPECT_NE(explain[0].find("libbpf-1.8-split-typedef"), std::string::npos);

  // libbpf 1.1's own dedup of the same input folds the TYPEDEF into the base's.
  struct btf* plain = encode::btf_from_raw(split_bytes, base.get());
  ASSERT_TRUE(plain);
  ASSERT_EQ(btf__dedup(plain, nullptr), 0);
  Owned keep(plain);
  EXPECT_EQ(lines(plain), (std::vector<std::string>{"5 2 '' -> 2", "6 4 'own' m2 m4"}));
}

TEST(SplitDedup18, NothingOfTheBaseNothingKept) {
  BtfBuilder b;
  b.add_int("int", 4, 32, kIntSigned);
  const std::vector<uint8_t> base_bytes = b.build().bytes;
  Owned base(btf__new(base_bytes.data(), uint32_t(base_bytes.size())));
  ASSERT_TRUE(base);
  BtfBuilder s = BtfBuilder::split(btf__type_cnt(base.get()), str_len(base.get()));
  const uint32_t c = s.add_int("char", 1, 8, kIntSigned);
  s.add_typedef("s8", c);
  const std::vector<uint8_t> split_bytes = s.build().bytes;
  std::vector<std::string> explain;
  Owned got = dedup18(base.get(), split_bytes, &explain);
  ASSERT_TRUE(got);
  // Neither type is in the base: both are the module's own, as with libbpf 1.1; no rule line.
  EXPECT_EQ(lines(got.get()), (std::vector<std::string>{"2 1 'char'", "3 8 's8' -> 2"}));
  EXPECT_TRUE(explain.empty());
}

}  // namespace
}  // namespace btfcheck::testing
