// true_signature's settling (encoder/dwarf/true_sig.cc clone_drops, func_drop.cc): which
// clone FUNC a name keeps, as pahole master decides it, on a hand-made BTF.
#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "encoder/dwarf/batch_encoder.h"

namespace btfcheck::encode {
namespace {

// A BTF with FUNCs of these names, each with its own prototype (n params for the n-th).
struct Btf {
  struct btf* p = btf__new_empty();
  explicit Btf(const std::vector<std::string>& funcs) {
    const int i = btf__add_int(p, "int", 4, BTF_INT_SIGNED);
    for (size_t k = 0; k < funcs.size(); ++k) {
      const int proto = btf__add_func_proto(p, i);
      for (size_t a = 0; a < k; ++a) btf__add_func_param(p, ("a" + std::to_string(a)).c_str(), i);
      btf__add_func(p, funcs[k].c_str(), BTF_FUNC_STATIC, proto);
    }
  }
  ~Btf() { btf__free(p); }
};

// Names of the FUNCs left, in id order, with their vlen.
std::vector<std::string> funcs(const struct btf* b) {
  std::vector<std::string> out;
  for (uint32_t id = 1; id < btf__type_cnt(b); ++id) {
    const struct btf_type* t = btf__type_by_id(b, id);
    if (btf_is_func(t))
      out.push_back(std::string(btf__name_by_offset(b, t->name_off)) + "/" +
                    std::to_string(btf_vlen(btf__type_by_id(b, t->type))));
  }
  return out;
}

struct Settled {
  std::vector<std::string> funcs, explain;
};

Settled settle(const std::vector<std::string>& names, const SharedState& sh) {
  Btf in(names);
  std::vector<FuncDrop> drops = sh.drops;
  for (FuncDrop& d : clone_drops(sh)) drops.push_back(std::move(d));
  Settled out;
  auto r = settle_func_drops(in.p, drops, &out.explain, "t");
  EXPECT_TRUE(r.ok());
  out.funcs = funcs(*r);
  if (*r != in.p) btf__free(*r);
  return out;
}

TEST(TrueSignature, FirstStateKeepsItsCloneWhenTheNameIsClean) {
  SharedState sh;
  sh.ts = {kTsSeen | kTsLater};
  sh.drops.push_back({"foo", FuncDrop::kAll, "reordered parameters"});
  sh.clones.push_back({"foo", "foo.isra.0", 0, true, "FUNC 'foo.isra.0'"});
  sh.clones.push_back({"foo", "foo.constprop.0", 0, false, "FUNC 'foo.constprop.0'"});
  const Settled s = settle({"foo", "foo.isra.0", "foo.constprop.0"}, sh);
  EXPECT_EQ(s.funcs, std::vector<std::string>{"foo.isra.0/1"});
  // The name's own "skipped" line gives way to the renaming.
  EXPECT_EQ(s.explain, std::vector<std::string>{"foo: renamed: FUNC 'foo.isra.0'"});
}

TEST(TrueSignature, ALaterStateWhenTheNameHasAnUnexpectedRegister) {
  SharedState sh;
  sh.ts = {kTsSeen | kTsLater | kTsBad};
  sh.drops.push_back({"foo", FuncDrop::kAll, "unexpected register usage"});
  sh.clones.push_back({"foo", "foo.isra.0", 0, true, "first"});
  sh.clones.push_back({"foo", "foo.constprop.0", 0, false, "later"});
  const Settled s = settle({"foo.isra.0", "foo.constprop.0"}, sh);
  EXPECT_EQ(s.funcs, std::vector<std::string>{"foo.constprop.0/1"});
  EXPECT_EQ(s.explain, std::vector<std::string>{"foo: renamed: later"});
}

TEST(TrueSignature, NoCloneWhenTheFirstStateIsUnexpectedAndNoneFollows) {
  SharedState sh;
  sh.ts = {kTsSeen | kTsBad};
  sh.drops.push_back({"foo", FuncDrop::kAll, "unexpected register usage"});
  sh.clones.push_back({"foo", "foo.isra.0", 0, true, "first"});
  const Settled s = settle({"bar", "foo.isra.0"}, sh);
  EXPECT_EQ(s.funcs, std::vector<std::string>{"bar/0"});
  EXPECT_EQ(s.explain, std::vector<std::string>{"foo: skipped: unexpected register usage"});
}

TEST(TrueSignature, TwoStatesOfOneCloneNameKeepTheChosenOne) {
  for (const uint8_t bad : {uint8_t{0}, kTsBad}) {
    SharedState sh;
    sh.ts = {static_cast<uint8_t>(kTsSeen | kTsLater | bad)};
    sh.clones.push_back({"foo", "foo.isra.0", 0, true, "first"});
    sh.clones.push_back({"foo", "foo.isra.0", 0, false, "later"});
    const Settled s = settle({"foo.isra.0", "foo.isra.0"}, sh);   // prototypes of 0 and 1 params
    EXPECT_EQ(s.funcs, std::vector<std::string>{bad ? "foo.isra.0/1" : "foo.isra.0/0"});
  }
}

}  // namespace
}  // namespace btfcheck::encode
