// `dump` raw format: every kind's line as bpftool v7.1.0 prints it (expected strings were
// taken from `bpftool btf dump file` on the same hand-built images), names that are
// absent / empty / out of range, split numbering, and both byte orders.
#include <gtest/gtest.h>

#include <string>

#include "btf/dump.h"
#include "btf_builder.h"

namespace btfcheck::testing {
namespace {

std::string raw(const Image& img, std::shared_ptr<const btf::Btf> base = nullptr) {
  auto b = img.parse(std::move(base));
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().str());
  if (!b.ok()) return "";
  std::string out;
  dump::dump_raw(**b, out);
  return out;
}

TEST(DumpRaw, IntEncodings) {
  BtfBuilder b;
  b.add_int("int", 4, 32, kIntSigned);
  b.add_int("unsigned int", 4, 32);
  b.add_int("char", 1, 8, kIntChar);
  b.add_int("_Bool", 1, 1, kIntBool);
  b.add_int("odd", 4, 29, 3, 3);   // encoding 3 is not one value: bpftool says UNKN
  EXPECT_EQ(raw(b.build()),
            "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
            "[2] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)\n"
            "[3] INT 'char' size=1 bits_offset=0 nr_bits=8 encoding=CHAR\n"
            "[4] INT '_Bool' size=1 bits_offset=0 nr_bits=1 encoding=BOOL\n"
            "[5] INT 'odd' size=4 bits_offset=3 nr_bits=29 encoding=UNKN\n");
}

TEST(DumpRaw, ReferenceKinds) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_ptr(i);
  b.add_const(i);
  b.add_volatile(i);
  b.add_restrict(2);
  b.add_typedef("myint", i);
  b.add_type_tag("user", i);
  b.add_array(i, i, 7);
  b.add_float("double", 8);
  EXPECT_EQ(raw(b.build()),
            "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
            "[2] PTR '(anon)' type_id=1\n"
            "[3] CONST '(anon)' type_id=1\n"
            "[4] VOLATILE '(anon)' type_id=1\n"
            "[5] RESTRICT '(anon)' type_id=2\n"
            "[6] TYPEDEF 'myint' type_id=1\n"
            "[7] TYPE_TAG 'user' type_id=1\n"
            "[8] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=7\n"
            "[9] FLOAT 'double' size=8\n");
}

TEST(DumpRaw, StructsBitfieldsAndFwd) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_struct("plain", 8, {{"a", i, 0}, {"", i, 32}});
  b.add_struct("bits", 4, {{"x", i, 0, 3}, {"y", i, 3, 5}, {"z", i, 8}}, /*kflag=*/true);
  b.add_union("", 4, {{"u", i, 0}});
  b.add_fwd("later");
  b.add_fwd("ulater", /*is_union=*/true);
  EXPECT_EQ(raw(b.build()),
            "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
            "[2] STRUCT 'plain' size=8 vlen=2\n"
            "\t'a' type_id=1 bits_offset=0\n"
            "\t'(anon)' type_id=1 bits_offset=32\n"
            "[3] STRUCT 'bits' size=4 vlen=3\n"
            "\t'x' type_id=1 bits_offset=0 bitfield_size=3\n"
            "\t'y' type_id=1 bits_offset=3 bitfield_size=5\n"
            "\t'z' type_id=1 bits_offset=8\n"
            "[4] UNION '(anon)' size=4 vlen=1\n"
            "\t'u' type_id=1 bits_offset=0\n"
            "[5] FWD 'later' fwd_kind=struct\n"
            "[6] FWD 'ulater' fwd_kind=union\n");
}

TEST(DumpRaw, EnumsSignedUnsignedAnd64) {
  BtfBuilder b;
  b.add_enum("s", 4, {{"A", -5}, {"B", 7}, {"C", INT32_MIN}}, /*is_signed=*/true);
  b.add_enum("u", 4, {{"A", -5}, {"B", 7}});
  b.add_enum64("s64", 8, {{"A", -2}, {"B", int64_t(1) << 32}, {"C", INT64_MIN}}, true);
  b.add_enum64("u64", 8, {{"A", -2}, {"B", int64_t(1) << 32}});
  b.add_enum("empty", 4, {});
  EXPECT_EQ(raw(b.build()),
            "[1] ENUM 's' encoding=SIGNED size=4 vlen=3\n"
            "\t'A' val=-5\n"
            "\t'B' val=7\n"
            "\t'C' val=-2147483648\n"
            "[2] ENUM 'u' encoding=UNSIGNED size=4 vlen=2\n"
            "\t'A' val=4294967291\n"
            "\t'B' val=7\n"
            "[3] ENUM64 's64' encoding=SIGNED size=8 vlen=3\n"
            "\t'A' val=-2LL\n"
            "\t'B' val=4294967296LL\n"
            "\t'C' val=-9223372036854775808LL\n"
            "[4] ENUM64 'u64' encoding=UNSIGNED size=8 vlen=2\n"
            "\t'A' val=18446744073709551614ULL\n"
            "\t'B' val=4294967296ULL\n"
            "[5] ENUM 'empty' encoding=UNSIGNED size=4 vlen=0\n");
}

TEST(DumpRaw, FuncsProtosVarsDatasecTags) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  uint32_t p = b.add_func_proto(i, {{"a", i}, {"", 0}});   // int (int a, ...)
  b.add_func("f_static", p, kFuncStatic);
  b.add_func("f_global", p, kFuncGlobal);
  b.add_func("f_extern", p, kFuncExtern);
  b.add_func("f_odd", p, 3);
  uint32_t v = b.add_var("v", i, kVarGlobal);
  b.add_var("vs", i, kVarStatic);
  b.add_var("ve", i, kVarExtern);
  b.add_var("vodd", i, 7);
  b.add_datasec(".data", 12, {{v, 0, 4}, {0, 4, 4}, {999, 8, 4}});
  b.add_decl_tag("tag", v);
  b.add_decl_tag("mtag", 1, 2);
  b.add_func_proto(0, {});
  EXPECT_EQ(raw(b.build()),
            "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
            "[2] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2\n"
            "\t'a' type_id=1\n"
            "\t'(anon)' type_id=0\n"
            "[3] FUNC 'f_static' type_id=2 linkage=static\n"
            "[4] FUNC 'f_global' type_id=2 linkage=global\n"
            "[5] FUNC 'f_extern' type_id=2 linkage=extern\n"
            "[6] FUNC 'f_odd' type_id=2 linkage=(unknown)\n"
            "[7] VAR 'v' type_id=1, linkage=global\n"
            "[8] VAR 'vs' type_id=1, linkage=static\n"
            "[9] VAR 've' type_id=1, linkage=extern\n"
            "[10] VAR 'vodd' type_id=1, linkage=(unknown)\n"
            "[11] DATASEC '.data' size=12 vlen=3\n"
            "\ttype_id=7 offset=0 size=4 (VAR 'v')\n"
            "\ttype_id=0 offset=4 size=4 (UNKNOWN '(anon)')\n"
            "\ttype_id=999 offset=8 size=4\n"
            "[12] DECL_TAG 'tag' type_id=7 component_idx=-1\n"
            "[13] DECL_TAG 'mtag' type_id=1 component_idx=2\n"
            "[14] FUNC_PROTO '(anon)' ret_type_id=0 vlen=0\n");
}

TEST(DumpRaw, NamesAbsentEmptyInvalid) {
  BtfBuilder b;
  b.add_int("int", 4, 32, kIntSigned);
  uint32_t t = b.add_typedef("x", 1);
  b.set_word(t, 0, 100000);              // past the string section
  uint32_t e = b.add_typedef("y", 1);
  b.set_word(e, 0, 4);                   // the NUL ending "int": an empty, valid name
  EXPECT_EQ(raw(b.build()),
            "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
            "[2] TYPEDEF '(invalid)' type_id=1\n"
            "[3] TYPEDEF '' type_id=1\n");
}

TEST(DumpRaw, BigEndianPrintsTheSameValues) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_struct("s", 8, {{"a", i, 0, 3}, {"b", i, 32}}, true);
  b.add_enum64("e", 8, {{"A", -2}}, true);
  b.add_decl_tag("t", 2, 1);
  EXPECT_EQ(raw(b.build(Endian::Big)), raw(b.build(Endian::Little)));
  EXPECT_NE(raw(b.build(Endian::Big)).find("'A' val=-2LL"), std::string::npos);
}

TEST(DumpRaw, SplitBtfNumbersAfterBaseAndNamesBaseTypes) {
  BtfBuilder base;
  uint32_t i = base.add_int("int", 4, 32, kIntSigned);
  uint32_t bv = base.add_var("base_var", i);
  auto bb = base.build().parse();
  ASSERT_TRUE(bb.ok());
  BtfBuilder split = BtfBuilder::split(**bb);
  uint32_t p = split.add_ptr(i);
  split.add_typedef("int", p);   // a name from the split blob's own string section
  split.add_datasec(".bss", 4, {{bv, 0, 4}});
  EXPECT_EQ(raw(split.build(), *bb),
            "[3] PTR '(anon)' type_id=1\n"
            "[4] TYPEDEF 'int' type_id=3\n"
            "[5] DATASEC '.bss' size=4 vlen=1\n"
            "\ttype_id=2 offset=0 size=4 (VAR 'base_var')\n");
}

TEST(DumpRaw, RawTypeLine) {
  BtfBuilder b;
  b.add_int("int", 4, 32, kIntSigned);
  auto p = b.build().parse();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(dump::raw_type_line(**p, 1), "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED");
  EXPECT_EQ(dump::raw_type_line(**p, 0), "");
  EXPECT_EQ(dump::raw_type_line(**p, 2), "");
}

TEST(DumpRaw, EmptyBtfPrintsNothing) {
  BtfBuilder b;
  EXPECT_EQ(raw(b.build()), "");
}

}  // namespace
}  // namespace btfcheck::testing
