// The one way to do each thing that writes or reshapes BTF: StringTable (the interner),
// write_blob (the writer), drop_records (drop and renumber), resolve_size (size through
// modifiers) and the DATASEC rules (check_datasec_layout, datasec_valid).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "btf/datasec.h"
#include "btf/records.h"
#include "btf/size.h"
#include "btf/strings.h"
#include "btf/write.h"
#include "tests/unit/btf_builder.h"

namespace btfcheck {
namespace {

using btf::Kind;
using testing::BtfBuilder;

TEST(StringTable, EachStringOnceEmptyAtZero) {
  btf::StringTable t;
  EXPECT_EQ(t.add(""), 0u);
  EXPECT_EQ(t.add("int"), 1u);
  EXPECT_EQ(t.add("long"), 5u);
  EXPECT_EQ(t.add("int"), 1u);
  EXPECT_EQ(t.add("in"), 10u);   // a prefix is a string of its own
  EXPECT_EQ(t.data(), std::string("\0int\0long\0in\0", 13));
  btf::StringTable split(100);   // a split BTF's offsets continue its base's
  EXPECT_EQ(split.add("x"), 101u);
  EXPECT_EQ(split.end(), 103u);
}

TEST(StringTable, ManyStringsSurviveGrowth) {
  btf::StringTable t;
  std::vector<uint32_t> off;
  for (int i = 0; i < 5000; ++i) off.push_back(t.add("name_" + std::to_string(i)));
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(t.add("name_" + std::to_string(i)), off[i]) << i;
  const uint32_t end = t.end();
  EXPECT_EQ(t.add("name_5000"), end);
  EXPECT_EQ(t.end(), end + 10);
}

TEST(StringTable, ContinuingReusesTheFirstOfEqualStrings) {
  // libbpf's strset: strings at boundaries from offset 0, the first of equal ones; an
  // unterminated tail is no string, and raw bytes appended are not indexed.
  auto t = btf::StringTable::continuing(std::string("\0a\0b\0a\0tail", 11));
  EXPECT_EQ(t.add("a"), 1u);
  EXPECT_EQ(t.add("b"), 3u);
  EXPECT_EQ(t.add("tail"), 11u);
  t.append_raw(std::string("zz\0", 3));
  EXPECT_EQ(t.add("zz"), 19u);
}

TEST(WriteBlob, EveryLayoutParsesBackInBothByteOrders) {
  BtfBuilder b;
  const uint32_t i = b.add_int("int", 4, 32, testing::kIntSigned);
  b.add_struct("s", 8, {{"a", i, 0}, {"b", i, 32}});
  for (btf::Endian e : {btf::Endian::Little, btf::Endian::Big})
    for (const btf::BlobLayout& l : {btf::BlobLayout{}, btf::BlobLayout{32, 4, false, 8},
                                     btf::BlobLayout{24, 0, true, 0}}) {
      const testing::Image img = b.build(e, l);
      auto p = img.parse();
      ASSERT_TRUE(p.ok()) << l.hdr_len << " " << p.error().message;
      const btf::Btf& x = **p;
      EXPECT_EQ(x.endian(), e);
      EXPECT_EQ(x.header().hdr_len, l.hdr_len);
      ASSERT_EQ(x.own_count(), 2u);
      EXPECT_EQ(x.type(2).name(), "s");
      EXPECT_EQ(x.type(2).member(1).offset, 32u);
      EXPECT_EQ(img.get_word(2, 4), i);   // the writer's sections are where Image says
    }
}

TEST(DropRecords, RenumbersAndRewritesReferences) {
  BtfBuilder b;
  const uint32_t i = b.add_int("int", 4, 32);        // 1
  const uint32_t gone = b.add_ptr(i);                  // 2, dropped
  const uint32_t c = b.add_const(i);                   // 3 -> 2
  const uint32_t arr = b.add_array(c, i, 4);           // 4 -> 3
  b.add_struct("s", 16, {{"a", arr, 0}, {"c", c, 0}});   // 5 -> 4
  auto p = b.build().parse();
  ASSERT_TRUE(p.ok());
  const btf::Records in = btf::Records::of(**p);
  std::vector<uint8_t> drop(in.count(), 0);
  drop[gone - 1] = 1;
  const btf::Renumbered r = btf::drop_records(in, drop);
  EXPECT_FALSE(r.dangling);
  EXPECT_EQ(r.new_id, (std::vector<uint32_t>{1, 0, 2, 3, 4}));
  ASSERT_EQ(r.records.count(), 4u);
  EXPECT_EQ(r.records.rec(2)[2], 1u);                          // const -> int
  EXPECT_EQ(r.records.rec(3)[3], 2u);                          // array elem -> const
  EXPECT_EQ(r.records.rec(3)[4], 1u);                          // array index -> int
  EXPECT_EQ(r.records.rec(4)[btf::entry_ref_word(r.records.kind(4), 0)], 3u);
  EXPECT_EQ(r.records.rec(4)[btf::entry_ref_word(r.records.kind(4), 1)], 2u);
  // A kept record referring to a dropped one: 0, and said so.
  drop.assign(in.count(), 0);
  drop[c - 1] = 1;
  const btf::Renumbered d = btf::drop_records(in, drop);
  EXPECT_TRUE(d.dangling);
  EXPECT_EQ(d.records.rec(3)[3], 0u);
}

TEST(DropRecords, SplitKeepsBaseIds) {
  BtfBuilder base;
  const uint32_t i = base.add_int("int", 4, 32);
  auto bp = base.build().parse();
  ASSERT_TRUE(bp.ok());
  BtfBuilder s = BtfBuilder::split(**bp);
  const uint32_t x = s.add_ptr(i);   // 2, dropped
  s.add_ptr(x);                      // 3 -> 2: dangling
  s.add_ptr(i);                      // 4 -> 3: base id kept
  auto sp = s.build().parse(*bp);
  ASSERT_TRUE(sp.ok());
  const btf::Records in = btf::Records::of(**sp);
  EXPECT_EQ(in.start_id, 2u);
  const btf::Renumbered r = btf::drop_records(in, std::vector<uint8_t>{1, 0, 0});
  EXPECT_TRUE(r.dangling);
  EXPECT_EQ(r.records.rec(3)[2], i);
}

TEST(ResolveSize, ThroughModifiersTypedefsAndArrays) {
  BtfBuilder b;
  const uint32_t i = b.add_int("int", 4, 32);
  const uint32_t td = b.add_typedef("t", b.add_const(i));
  const uint32_t arr = b.add_array(td, i, 3);
  const uint32_t p = b.add_ptr(arr);
  const uint32_t fwd = b.add_fwd("f");
  const uint32_t var = b.add_var("v", arr);
  const uint32_t big = b.add_array(b.add_array(i, i, 1u << 20), i, 1u << 10);   // 4 GiB
  uint32_t chain = i;
  for (int k = 0; k < 32; ++k) chain = b.add_volatile(chain);
  auto parsed = b.build().parse();
  ASSERT_TRUE(parsed.ok());
  const btf::Btf& x = **parsed;
  EXPECT_EQ(btf::resolve_size(x, td), 4u);
  EXPECT_EQ(btf::resolve_size(x, arr), 12u);
  EXPECT_EQ(btf::resolve_size(x, p), 8u);
  EXPECT_EQ(btf::resolve_size(x, var), 12u);   // through VAR, as libbpf
  EXPECT_FALSE(btf::resolve_size(x, 0));
  EXPECT_FALSE(btf::resolve_size(x, fwd));
  EXPECT_FALSE(btf::resolve_size(x, big));     // past UINT32_MAX
  EXPECT_FALSE(btf::resolve_size(x, chain));   // 33 records: deeper than libbpf goes
  EXPECT_EQ(btf::resolve_size(btf::Records::of(x), arr), 12u);   // the same on records
}

struct Sec {
  BtfBuilder b;
  uint32_t i, v4, v8, sec;
  std::shared_ptr<const btf::Btf> btf;
  explicit Sec(std::vector<testing::SecVar> entries, uint32_t size = 16) {
    i = b.add_int("int", 4, 32);
    v4 = b.add_var("a", i);
    v8 = b.add_var("b", b.add_array(i, i, 2));
    for (auto& e : entries) e.type = e.type == 4 ? v4 : e.type == 8 ? v8 : e.type;
    sec = b.add_datasec(".data", size, entries);
    auto p = b.build().parse();
    EXPECT_TRUE(p.ok());
    btf = *p;
  }
  std::vector<btf::DatasecRule> rules() const {
    std::vector<btf::DatasecRule> out;
    btf::check_datasec_layout(btf->type(sec),
                              [&](const btf::DatasecIssue& e) { out.push_back(e.rule); });
    return out;
  }
  bool valid() const { return btf::datasec_valid(*btf, btf->type(sec)); }
};

TEST(Datasec, ValidSectionHasNoIssue) {
  Sec s({{4, 0, 4}, {8, 8, 8}});
  EXPECT_TRUE(s.rules().empty());
  EXPECT_TRUE(s.valid());
}

TEST(Datasec, EachLayoutRuleAndWhatOnlyResolvingSees) {
  using R = btf::DatasecRule;
  using V = std::vector<R>;
  EXPECT_EQ(Sec({}, 0).rules(), (V{R::Size}));
  EXPECT_EQ(Sec({{4, 4, 4}, {8, 0, 8}}).rules(), (V{R::Overlap}));
  EXPECT_EQ(Sec({{4, 16, 4}}).rules(), (V{R::Offset}));
  EXPECT_EQ(Sec({{4, 0, 0}}).rules(), (V{R::EntrySize}));
  EXPECT_EQ(Sec({{8, 12, 8}}).rules(), (V{R::End}));
  EXPECT_EQ(Sec({{4, 0, 12}, {8, 12, 8}}, 16).rules(), (V{R::End, R::Sum}));
  EXPECT_FALSE(Sec({{4, 16, 4}}).valid());
  // Layout fine, but an entry smaller than its VAR's type, or not a VAR at all.
  Sec small({{8, 0, 4}});
  EXPECT_TRUE(small.rules().empty());
  EXPECT_FALSE(small.valid());
  Sec not_var({{1, 0, 4}});
  EXPECT_FALSE(not_var.valid());
}

}  // namespace
}  // namespace btfcheck
