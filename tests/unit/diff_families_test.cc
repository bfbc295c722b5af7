// Pairing in the diff: same-name families (several FUNCs of one name, as pahole's parallel
// encoders leave) pair by structure, whatever the family size on each side; an extra member
// is a "copy-added"/"copy-removed", a type whose only change is FLOAT<->INT or
// ENUM<->ENUM64 is a "kind" change of one identity, not an add plus a remove.
#include <gtest/gtest.h>

#include <algorithm>

#include "btf/btf.h"
#include "canon/canon.h"
#include "comparator/diff/diff.h"
#include "tests/unit/btf_builder.h"

namespace btfcheck {
namespace {

using testing::BtfBuilder;

diff::Report diff_of(const BtfBuilder& a, const BtfBuilder& b) {
  auto pa = a.build().parse();
  auto pb = b.build().parse();
  EXPECT_TRUE(pa.ok() && pb.ok());
  return diff::diff(canon::build(**pa), canon::build(**pb));
}

// "static void f(struct key *)" plus, when `second`, "static int f(void *, void *)".
BtfBuilder funcs(bool first, bool second) {
  BtfBuilder b;
  const uint32_t i = b.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t key = b.add_struct("key", 4, {{"serial", i, 0}});
  const uint32_t pkey = b.add_ptr(key), pvoid = b.add_ptr(0);
  if (first) b.add_func("f", b.add_func_proto(0, {{"key", pkey}}), testing::kFuncStatic);
  if (second)
    b.add_func("f", b.add_func_proto(i, {{"a", pvoid}, {"b", pvoid}}), testing::kFuncStatic);
  b.add_func("g", b.add_func_proto(i, {}), testing::kFuncGlobal);
  return b;
}

std::vector<std::string> categories(const diff::Report& r) {
  std::vector<std::string> v;
  for (const diff::Change& c : r.changes) v.push_back(c.category);
  return v;
}

TEST(DiffFamilies, ExtraCopyPairsByStructureNotOrder) {
  // A has both prototypes, B only the first: the first pairs with its equal, whatever the
  // key order; the second is an extra copy, not a changed parameter list.
  const diff::Report r = diff_of(funcs(true, true), funcs(true, false));
  ASSERT_EQ(r.changes.size(), 1u) << diff::render_text(r);
  EXPECT_EQ(r.changes[0].category, "copy-removed");
  EXPECT_EQ(r.changes[0].kind, "func");
  EXPECT_NE(r.changes[0].before.find("ptr(void) a"), std::string::npos) << r.changes[0].before;
  // And the other way round, with the other member kept.
  const diff::Report r2 = diff_of(funcs(false, true), funcs(true, true));
  ASSERT_EQ(r2.changes.size(), 1u) << diff::render_text(r2);
  EXPECT_EQ(r2.changes[0].category, "copy-added");
  EXPECT_NE(r2.changes[0].after.find("ptr(struct key) key"), std::string::npos);
}

TEST(DiffFamilies, AddedWhenNameIsNew) {
  BtfBuilder a;
  a.add_int("int", 4, 32, testing::kIntSigned);
  const diff::Report r = diff_of(a, funcs(true, false));
  std::vector<std::string> added;   // the unused ptr(void) is an unnamed "anon" line
  for (const diff::Change& c : r.changes)
    if (c.category == "added") added.push_back(c.path);
  EXPECT_EQ(added, (std::vector<std::string>{"anon := ptr(void)", "func f", "func g", "struct key"}))
      << diff::render_text(r);
}

TEST(DiffFamilies, ChangedPrototypeStillPairs) {
  // One member on each side, different prototypes: a change of the function, not copies.
  const diff::Report r = diff_of(funcs(true, false), funcs(false, true));
  const auto cats = categories(r);
  EXPECT_EQ(std::count(cats.begin(), cats.end(), "copy-added"), 0) << diff::render_text(r);
  EXPECT_EQ(std::count(cats.begin(), cats.end(), "copy-removed"), 0);
  EXPECT_NE(std::count(cats.begin(), cats.end(), "return"), 0);
}

TEST(DiffFamilies, FloatVersusIntIsAKindChange) {
  BtfBuilder a, b;
  a.add_float("double", 8);
  b.add_int("double", 8, 64);
  const diff::Report r = diff_of(a, b);
  ASSERT_EQ(r.changes.size(), 1u) << diff::render_text(r);
  EXPECT_EQ(r.changes[0].category, "kind");
  EXPECT_EQ(r.changes[0].path, "double");
  EXPECT_EQ(r.changes[0].before, "float");
  EXPECT_EQ(r.changes[0].after, "int");
}

TEST(DiffFamilies, EnumVersusEnum64IsAKindChange) {
  BtfBuilder a, b;
  a.add_enum("e", 8, {{"A", 1}});
  b.add_enum64("e", 8, {{"A", 1}});
  const diff::Report r = diff_of(a, b);
  ASSERT_EQ(r.changes.size(), 1u) << diff::render_text(r);
  EXPECT_EQ(r.changes[0].category, "kind");
  EXPECT_EQ(r.changes[0].path, "enum e");
}

// Added and removed types print their key once, then the definition: the text reporter,
// the markdown table (key in the path column, definition in before/after) and change_line;
// JSON keeps path and the whole line in before/after.
TEST(DiffFamilies, AddedAndRemovedPrintTheKeyOnce) {
  BtfBuilder b = funcs(true, true);
  b.add_decl_tag("hot", b.next_id() - 1);   // on func g
  const diff::Report r = diff_of(funcs(true, false), b);
  const std::string text = "\n" + diff::render_text(r);
  std::string copy_key;
  for (const diff::Change& c : r.changes)
    if (c.category == "copy-added") copy_key = c.path;
  ASSERT_EQ(copy_key.rfind("func f#", 0), 0u) << text;
  EXPECT_NE(text.find("\ncopy-added " + copy_key + " := func static fn(ptr(void) a, ptr(void) b) -> int\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("\nadded decl_tag(\"hot\", func g)\n"), std::string::npos) << text;
  EXPECT_EQ(text.find(copy_key + ": " + copy_key), std::string::npos) << text;
  EXPECT_EQ(text.find("): decl_tag("), std::string::npos) << text;
  const std::string md = diff::render_markdown(r, "a", "b");
  EXPECT_NE(md.find("| copy-added | `" + copy_key + "` |  | func static fn(ptr(void) a, ptr(void) b) -> int |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("| added | `decl_tag(\"hot\", func g)` |  |  |"), std::string::npos) << md;
  for (const diff::Change& c : r.changes) {
    if (c.category == "copy-added") {
      EXPECT_EQ(c.after.rfind(copy_key + " := ", 0), 0u) << c.after;   // JSON keeps the line
    }
  }
}

}  // namespace
}  // namespace btfcheck
