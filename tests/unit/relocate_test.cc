// btf/relocate.h: split BTF on a distilled base relocated onto a full base, as the kernel
// does at module load (libbpf's btf__relocate), and a finding with a rule id for every
// distilled type that cannot be matched.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "btf/relocate.h"
#include "tests/unit/btf_builder.h"

namespace btfcheck::testing {
namespace {

using Ptr = std::shared_ptr<const btf::Btf>;

Ptr parse(const BtfBuilder& b, Ptr base = nullptr, std::string file = "x.btf") {
  auto r = b.build().parse(std::move(base), std::move(file));
  EXPECT_TRUE(r.ok()) << (r ? "" : r.error().str());
  return r ? *r : nullptr;
}

// Distilled base: [1] int (4), [2] STRUCT sk (8, memberless), [3] struct FWD sfw.
Ptr distilled() {
  BtfBuilder b;
  b.add_int("int", 4, 32, kIntSigned);
  b.add_struct("sk", 8, {});
  b.add_fwd("sfw");
  return parse(b, nullptr, "mod.ko");
}

// Split on it: [4] STRUCT m {struct sk a; int b; struct sfw *c} (sk embedded by value),
// [5] PTR -> sfw.
Ptr module(const Ptr& dist) {
  BtfBuilder s = BtfBuilder::split(*dist);
  const uint32_t ptr = s.next_id() + 1;
  s.add_struct("m", 24, {{"a", 2, 0}, {"b", 1, 64}, {"c", ptr, 128}});
  s.add_ptr(3);
  return parse(s, dist, "mod.ko");
}

// A full base: [1] char, [2] int, [3] STRUCT sk (size `sk_size`, or a UNION), then STRUCT
// sfw. (libbpf matches a distilled FWD to a STRUCT without kind_flag or a UNION with it.)
Ptr vmlinux(uint32_t sk_size = 8, bool sk_union = false, bool two_sk = false, bool has_sk = true) {
  BtfBuilder b;
  uint32_t c = b.add_int("char", 1, 8, kIntChar);
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  if (has_sk) {
    if (sk_union) b.add_union("sk", sk_size, {{"x", i, 0}});
    else b.add_struct("sk", sk_size, {{"x", i, 0}, {"y", c, 32}});
  }
  if (two_sk) b.add_struct("sk", sk_size, {{"z", i, 0}});
  b.add_struct("sfw", 4, {{"u", i, 0}});
  return parse(b, nullptr, "vmlinux");
}

std::vector<std::string> rules(const btf::Relocation& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) out.push_back(f.error.rule);
  return out;
}

TEST(Relocate, MapsDistilledTypesAndShiftsSplitIds) {
  const Ptr dist = distilled(), mod = module(dist), vm = vmlinux();
  const btf::Relocation r = btf::relocate(*mod, vm);
  ASSERT_TRUE(r.btf) << (r.findings.empty() ? "" : r.findings[0].str());
  EXPECT_EQ(r.mapped, 3u);
  const btf::Btf& out = *r.btf;
  EXPECT_EQ(out.start_id(), vm->type_count());
  const btf::Type m = out.type(out.start_id());
  EXPECT_EQ(m.name(), "m");
  EXPECT_EQ(out.type(m.member(0).type).name(), "sk");
  EXPECT_EQ(out.type(m.member(0).type).id(), 3u);
  EXPECT_EQ(out.type(m.member(1).type).name(), "int");
  const btf::Type p = out.type(m.member(2).type);
  EXPECT_EQ(p.kind(), uint32_t(Kind::Ptr));
  EXPECT_EQ(out.type(p.type()).name(), "sfw");
  EXPECT_EQ(out.type(p.type()).kind(), uint32_t(Kind::Struct));
}

TEST(Relocate, MissingNameIsAFindingNamingTheType) {
  const Ptr dist = distilled(), mod = module(dist);
  const btf::Relocation r = btf::relocate(*mod, vmlinux(8, false, false, false));
  EXPECT_FALSE(r.btf);
  ASSERT_EQ(rules(r), std::vector<std::string>{"relocate.missing"});
  EXPECT_EQ(r.findings[0].name, "sk");
  EXPECT_NE(r.findings[0].str().find("STRUCT 'sk'"), std::string::npos) << r.findings[0].str();
  EXPECT_EQ(r.findings[0].error.type_id, 2u);
}

TEST(Relocate, EmbeddedStructNeedsItsSize) {
  const Ptr dist = distilled(), mod = module(dist);
  const btf::Relocation r = btf::relocate(*mod, vmlinux(16));
  ASSERT_EQ(rules(r), std::vector<std::string>{"relocate.size"});
  EXPECT_NE(r.findings[0].error.message.find("embedded"), std::string::npos);
}

TEST(Relocate, KindDiffers) {
  const Ptr dist = distilled(), mod = module(dist);
  const btf::Relocation r = btf::relocate(*mod, vmlinux(8, true));
  ASSERT_EQ(rules(r), std::vector<std::string>{"relocate.kind"});
}

TEST(Relocate, TwoCandidatesAreAmbiguous) {
  const Ptr dist = distilled(), mod = module(dist);
  const btf::Relocation r = btf::relocate(*mod, vmlinux(8, false, true));
  ASSERT_EQ(rules(r), std::vector<std::string>{"relocate.ambiguous"});
}

TEST(Relocate, DistilledBaseHoldsOnlyNamedBaseKinds) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_ptr(i);
  b.add_struct("", 4, {});
  const Ptr dist = parse(b);
  auto f = btf::check_distilled_base(*dist);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].error.rule, "distilled.kind");
  EXPECT_EQ(f[0].error.type_id, 2u);
  EXPECT_EQ(f[1].error.rule, "distilled.anon");
}

TEST(Relocate, SplitNameIntoDistilledStringsMustNameADistilledType) {
  const Ptr dist = distilled();
  BtfBuilder s = BtfBuilder::split(*dist);
  const uint32_t id = s.add_struct("m", 4, {{"b", 1, 0}});
  Image img = s.build();
  img.set_word(id, 3, 1);  // member name := "int"'s offset... of the distilled strings
  auto mod = img.parse(dist, "mod.ko");
  ASSERT_TRUE(mod.ok());
  // offset 1 is "int", a distilled type's name: mapped. An offset inside a name is not.
  img.set_word(id, 3, 2);
  auto bad = img.parse(dist, "mod.ko");
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(btf::relocate(**mod, vmlinux()).btf);
  const btf::Relocation r = btf::relocate(**bad, vmlinux());
  ASSERT_EQ(rules(r), std::vector<std::string>{"relocate.string"});
}

TEST(Relocate, NoDistilledBase) {
  const Ptr vm = vmlinux();
  const btf::Relocation r = btf::relocate(*vm, vm);
  ASSERT_EQ(rules(r), std::vector<std::string>{"relocate.no-distilled-base"});
}

}  // namespace
}  // namespace btfcheck::testing
