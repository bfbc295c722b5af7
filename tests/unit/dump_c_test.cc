// `dump` c format: bpftool's vmlinux.h wrapper around libbpf's btf_dump, the two places
// where we bridge Debian's libbpf 1.1.2 to the libbpf inside bpftool 7.1 ("(void)" for
// empty prototypes, no mode(byte)/mode(word) on enums), split BTF, and the guard that keeps
// malformed blobs away from libbpf (which would crash, hang or print gigabytes).
#include <gtest/gtest.h>

#include <string>

#include "btf/dump.h"
#include "btf_builder.h"

namespace btfcheck::testing {
namespace {

const char kHead[] =
    "#ifndef __VMLINUX_H__\n"
    "#define __VMLINUX_H__\n"
    "\n"
    "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
    "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
    "#endif\n\n";
const char kTail[] =
    "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
    "#pragma clang attribute pop\n"
    "#endif\n"
    "\n"
    "#endif /* __VMLINUX_H__ */\n";

Result<std::string> c_of(const Image& img, std::shared_ptr<const btf::Btf> base = nullptr) {
  auto b = img.parse(std::move(base));
  if (!b.ok()) return b.error();
  return dump::dump_c(**b);
}

std::string c_ok(const Image& img, std::shared_ptr<const btf::Btf> base = nullptr) {
  auto r = c_of(img, std::move(base));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().str());
  return r.ok() ? *r : "";
}

TEST(DumpC, EmptyBtfIsJustTheWrapper) {
  BtfBuilder b;
  EXPECT_EQ(c_ok(b.build()), std::string(kHead) + kTail);
}

TEST(DumpC, StructTypedefAndBitfields) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  uint32_t s = b.add_struct("pair", 8, {{"a", i, 0, 3}, {"b", i, 32}}, true);
  b.add_typedef("pair_t", s);
  EXPECT_EQ(c_ok(b.build()), std::string(kHead) +
                                 "struct pair {\n"
                                 "\tint a: 3;\n"
                                 "\tint b;\n"
                                 "};\n\n"
                                 "typedef struct pair pair_t;\n\n" + kTail);
}

TEST(DumpC, EmptyPrototypesPrintVoid) {
  BtfBuilder b;
  uint32_t none = b.add_func_proto(0, {});
  uint32_t lone_void = b.add_func_proto(0, {{"", 0}});
  b.add_typedef("cb0", b.add_ptr(none));
  b.add_typedef("cb1", b.add_ptr(lone_void));
  const std::string c = c_ok(b.build());
  EXPECT_NE(c.find("typedef void (*cb0)(void);\n"), std::string::npos) << c;
  EXPECT_NE(c.find("typedef void (*cb1)(void);\n"), std::string::npos) << c;
  EXPECT_EQ(c.find("()"), std::string::npos) << c;
}

TEST(DumpC, VarargsKeepEllipsis) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  uint32_t p = b.add_func_proto(i, {{"n", i}, {"", 0}});
  b.add_typedef("vfn", b.add_ptr(p));
  EXPECT_NE(c_ok(b.build()).find("typedef int (*vfn)(int n, ...);\n"), std::string::npos);
}

TEST(DumpC, OddSizedEnumsGetNoModeAttribute) {
  BtfBuilder b;
  b.add_enum("small", 1, {{"S_A", 0}, {"S_B", 1}});
  b.add_enum("wide", 8, {{"W_A", 1}});
  const std::string c = c_ok(b.build());
  EXPECT_EQ(c.find("mode("), std::string::npos) << c;
  EXPECT_NE(c.find("enum small {\n\tS_A = 0,\n\tS_B = 1,\n};\n"), std::string::npos) << c;
}

TEST(DumpC, SplitDumpsBaseTypesToo) {
  BtfBuilder base;
  uint32_t i = base.add_int("int", 4, 32, kIntSigned);
  base.add_struct("from_base", 4, {{"x", i, 0}});
  auto bb = base.build().parse();
  ASSERT_TRUE(bb.ok());
  BtfBuilder split = BtfBuilder::split(**bb);
  split.add_struct("from_split", 4, {{"y", i, 0}});
  const std::string c = c_ok(split.build(), *bb);
  const size_t a = c.find("struct from_base {"), s = c.find("struct from_split {");
  ASSERT_NE(a, std::string::npos) << c;
  ASSERT_NE(s, std::string::npos) << c;
  EXPECT_LT(a, s);
}

// --- the guard ------------------------------------------------------------------------

void expect_refused(const Image& img, const std::string& rule, uint32_t type_id) {
  auto r = c_of(img);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, rule) << r.error().str();
  ASSERT_TRUE(r.error().type_id.has_value()) << r.error().str();
  EXPECT_EQ(*r.error().type_id, type_id) << r.error().str();
  EXPECT_TRUE(r.error().offset.has_value());
  EXPECT_NE(r.error().str().find("test.btf"), std::string::npos);
}

TEST(DumpCGuard, ReferencePastLastId) {
  BtfBuilder b;
  b.add_int("int", 4, 32, kIntSigned);
  b.add_ptr(42);
  expect_refused(b.build(), "dump.c-ref", 2);
}

TEST(DumpCGuard, DatasecEntryPastLastId) {
  BtfBuilder b;
  b.add_datasec(".data", 4, {{77, 0, 4}});
  expect_refused(b.build(), "dump.c-ref", 1);
}

TEST(DumpCGuard, NameOutsideStrings) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.set_word(i, 0, 5000);
  expect_refused(b.build(), "dump.c-name", 1);
}

TEST(DumpCGuard, ZeroSizedIntWouldDivideByZero) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 0, 32, kIntSigned);
  b.add_struct("s", 4, {{"a", i, 0}});
  expect_refused(b.build(), "dump.c-size", 1);
}

TEST(DumpCGuard, MemberOfKindVar) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  uint32_t v = b.add_var("v", i);
  b.add_struct("s", 4, {{"a", v, 0}});
  expect_refused(b.build(), "dump.c-ref-kind", 3);
}

TEST(DumpCGuard, PointerLoopWithoutStruct) {
  BtfBuilder b;
  b.add_ptr(2);     // 1 -> 2
  b.add_const(1);   // 2 -> 1
  expect_refused(b.build(), "dump.c-loop", 1);
}

TEST(DumpCGuard, StructContainingItself) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_struct("s", 8, {{"a", i, 0}, {"self", 2, 32}});
  expect_refused(b.build(), "dump.c-loop", 2);
}

TEST(DumpCGuard, HugeHolesWouldPrintGigabytes) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_struct("s", 0x80000000u, {{"a", i, 0}});
  expect_refused(b.build(), "dump.c-padding", 2);
}

TEST(DumpCGuard, VoidMemberLikeClangComplex) {
  // clang 14 gives a _Complex member type id 0; bpftool's C dump dies of SIGFPE on it.
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_struct("cx", 32, {{"a", i, 0}, {"z", 0, 64}, {"b", i, 192}});
  auto r = c_of(b.build());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rule, "dump.c-unsized");
  EXPECT_EQ(r.error().member, std::optional<uint32_t>(1));
}

TEST(DumpCGuard, MemberThroughModifierToFwd) {
  BtfBuilder b;
  uint32_t f = b.add_fwd("opaque");
  uint32_t r = b.add_restrict(f);
  b.add_struct("s", 8, {{"o", r, 0}});
  expect_refused(b.build(), "dump.c-unsized", 3);
}

TEST(DumpCGuard, ArrayOfFuncProto) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  uint32_t p = b.add_func_proto(i, {});
  b.add_array(p, i, 2);
  expect_refused(b.build(), "dump.c-unsized", 3);
}

TEST(DumpCGuard, SelfReferenceThroughPointerIsFine) {
  BtfBuilder b;
  uint32_t s = b.add_struct("node", 8, {{"next", 2, 0}});
  b.add_ptr(s);
  EXPECT_NE(c_ok(b.build()).find("struct node {\n\tstruct node *next;\n};\n"),
            std::string::npos);
}

}  // namespace
}  // namespace btfcheck::testing
