// Btf::parse_borrowed reads a blob in place (type words too, when the byte order is the
// host's and the type section is aligned) and must give exactly what Btf::parse gives, at
// every alignment and in both byte orders; load_view must see the same bytes as load_blob.
// Strings found without scanning (c_str, same_str) must be the strings str() finds.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/load.h"
#include "tests/unit/btf_builder.h"

namespace btfcheck {
namespace {

using testing::BtfBuilder;

BtfBuilder sample() {
  BtfBuilder b;
  const uint32_t i = b.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t s = b.add_struct("pair", 8, {{"a", i, 0}, {"b", i, 32}});
  b.add_ptr(s);
  b.add_struct("holder", 16, {{"p", s, 0}, {"q", i, 64}});
  return b;
}

void expect_same(const btf::Btf& x, const btf::Btf& y) {
  ASSERT_EQ(x.own_count(), y.own_count());
  for (uint32_t id = 1; id < x.type_count(); ++id) {
    const btf::Type a = x.type(id), b = y.type(id);
    ASSERT_EQ(a.kind(), b.kind()) << id;
    ASSERT_EQ(a.vlen(), b.vlen()) << id;
    EXPECT_EQ(a.name(), b.name()) << id;
    for (uint32_t w = 0; w < 3; ++w) EXPECT_EQ(a.word(w), b.word(w)) << id << " word " << w;
  }
}

TEST(ParseBorrowed, SameAsParseAtEveryAlignmentAndByteOrder) {
  for (btf::Endian e : {btf::Endian::Little, btf::Endian::Big}) {
    const std::vector<uint8_t> blob = sample().bytes(e);
    auto owned = btf::Btf::parse(blob, {});
    ASSERT_TRUE(owned.ok());
    for (size_t shift = 0; shift < 8; ++shift) {
      std::vector<uint8_t> buf(shift, 0xaa);
      buf.insert(buf.end(), blob.begin(), blob.end());
      auto borrowed = btf::Btf::parse_borrowed(std::span<const uint8_t>(buf).subspan(shift), nullptr, {});
      ASSERT_TRUE(borrowed.ok()) << shift;
      EXPECT_EQ((*borrowed)->bytes().data(), buf.data() + shift) << "not borrowed";
      expect_same(**owned, **borrowed);
    }
  }
}

TEST(ParseBorrowed, KeepHoldsTheBytes) {
  auto bytes = std::make_shared<std::vector<uint8_t>>(sample().bytes());
  auto b = btf::Btf::parse_borrowed(*bytes, bytes, {});
  ASSERT_TRUE(b.ok());
  const uint8_t* at = bytes->data();
  bytes.reset();   // the Btf's keep is the last owner now
  EXPECT_EQ((*b)->bytes().data(), at);
  EXPECT_EQ((*b)->type(2).name(), "pair");
}

TEST(ParseBorrowed, BrokenFramingIsTheSameError) {
  std::vector<uint8_t> blob = sample().bytes();
  blob.resize(blob.size() - 20);   // cuts into the string section
  auto a = btf::Btf::parse(blob, {"f", "", nullptr});
  auto b = btf::Btf::parse_borrowed(blob, nullptr, {"f", "", nullptr});
  ASSERT_FALSE(a.ok());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(a.error().str(), b.error().str());
}

// c_str finds a string without scanning it only where str() would find the same one;
// same_str agrees with comparing str_or_empty in every case.
TEST(StringAccess, CStrAndSameStrAgreeWithStr) {
  BtfBuilder base = sample();
  auto b = btf::Btf::parse(base.bytes(), {});
  ASSERT_TRUE(b.ok());
  const btf::Btf& x = **b;
  const uint32_t pair = x.type(2).name_off();
  ASSERT_NE(x.c_str(pair), nullptr);
  EXPECT_STREQ(x.c_str(pair), "pair");
  EXPECT_EQ(x.c_str(x.str_end()), nullptr);   // out of range: str() gives nullopt
  BtfBuilder split = BtfBuilder::split(x);
  split.add_struct("pair", 8, {{"b", 1, 0}});
  split.append_string_bytes("tail");           // the split's section ends unterminated
  auto s = btf::Btf::parse(split.bytes(), {"", "", *b});
  ASSERT_TRUE(s.ok());
  const btf::Btf& y = **s;
  const uint32_t own_pair = y.type(x.type_count()).name_off();
  EXPECT_STREQ(y.c_str(pair), "pair");         // a base offset: the base's section
  EXPECT_EQ(y.c_str(own_pair), nullptr);       // unterminated section: str() decides
  EXPECT_EQ(y.str_or_empty(own_pair), "pair");
  const uint32_t tail = y.str_end() - 4;
  EXPECT_EQ(y.str_or_empty(tail), "");         // runs off the end: not a string
  EXPECT_TRUE(btf::same_str(x, pair, y, own_pair));
  EXPECT_TRUE(btf::same_str(y, own_pair, y, pair));
  EXPECT_FALSE(btf::same_str(x, pair, x, x.type(1).name_off()));
  EXPECT_TRUE(btf::same_str(y, tail, x, 0));   // both read as ""
  EXPECT_TRUE(btf::same_str(x, x.str_end() + 7, y, tail));
}

TEST(LoadView, RawFileSameBytesAsLoadBlob) {
  const std::vector<uint8_t> blob = sample().bytes();
  const std::string path = ::testing::TempDir() + "/view.btf";
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_TRUE(f);
  std::fwrite(blob.data(), 1, blob.size(), f);
  std::fclose(f);
  auto v = btf::load_view(path);
  auto b = btf::load_blob(path);
  ASSERT_TRUE(v.ok() && b.ok());
  EXPECT_EQ(std::vector<uint8_t>(v->bytes.begin(), v->bytes.end()), b->bytes);
  EXPECT_FALSE(v->from_elf);
  auto missing = btf::load_view(path + ".absent");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().rule, "io.open");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace btfcheck
