// btfcheck size: every byte charged once (families and kinds each sum to the blob), each
// record and string to the family the rules name, and deltas that add up to the size change.
#include <gtest/gtest.h>

#include <numeric>

#include "btf_builder.h"
#include "comparator/size/size.h"

namespace btfcheck::testing {
namespace {

uint64_t sum(const std::map<std::string, uint64_t>& m) {
  return std::accumulate(m.begin(), m.end(), uint64_t(0),
                         [](uint64_t s, const auto& kv) { return s + kv.second; });
}

std::shared_ptr<const btf::Btf> parse(const BtfBuilder& b) {
  auto r = b.build().parse();
  EXPECT_TRUE(r.ok());
  return *r;
}

// [1] int; [2] union {a; b} (anonymous, inside sk_buff); [3] struct sk_buff {u; len};
// [4] ptr -> sk_buff; [5] proto (skb) -> int; [6] FUNC tcp_rcv; [7] DECL_TAG bpf_kfunc -> 6;
// [8] DECL_TAG "user" -> sk_buff; [9] VAR runqueues (per-CPU); [10] VAR __tracepoint_x;
// [11] DATASEC .data..percpu {9}; [12] DATASEC .data {10}; [13] PTR -> int (unreachable).
BtfBuilder kernelish(bool wider = false) {
  BtfBuilder b;
  const uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  const uint32_t u = b.add_union("", 4, {{"a", i, 0}, {"b", i, 0}});
  std::vector<Member> m = {{"u", u, 0}, {"len", i, 32}};
  if (wider) m.push_back({"data_len", i, 64});
  const uint32_t skb = b.add_struct("sk_buff", wider ? 12 : 8, m);
  const uint32_t p = b.add_ptr(skb);
  const uint32_t proto = b.add_func_proto(i, {{"skb", p}});
  const uint32_t f = b.add_func("tcp_rcv", proto);
  b.add_decl_tag("bpf_kfunc", f);
  b.add_decl_tag("user", skb);
  const uint32_t rq = b.add_var("runqueues", i);
  const uint32_t tp = b.add_var("__tracepoint_x", i);
  b.add_datasec(".data..percpu", 4, {{rq, 0, 4}});
  b.add_datasec(".data", 4, {{tp, 0, 4}});
  b.add_ptr(i);
  return b;
}

TEST(Size, EveryByteChargedOnceToTheRightFamily) {
  auto btf = parse(kernelish());
  const size::Breakdown s = size::breakdown(*btf);
  EXPECT_EQ(s.total, btf->bytes().size());
  EXPECT_EQ(sum(s.families), s.total);
  EXPECT_EQ(sum(s.kinds), s.total);
  EXPECT_EQ(s.families.at("header"), 24u);
  EXPECT_EQ(s.kinds.at("header"), 24u);
  EXPECT_EQ(s.kinds.at("strings"), btf->header().str_len);
  // sk_buff: its record (12 + 2*12), the anonymous union (12 + 2*12), the "user" tag
  // (16), and the strings "sk_buff", "u", "len", "a", "b", "user".
  EXPECT_EQ(s.families.at("types sk_*"), 36u + 36u + 16u + 8 + 2 + 4 + 2 + 2 + 5);
  // tcp_rcv: FUNC (12), its proto (12 + 8), the pointer it reaches first (12); strings
  // "tcp_rcv" and "skb".
  EXPECT_EQ(s.families.at("functions tcp_*"), 12u + 20u + 12u + 8 + 4);
  EXPECT_EQ(s.families.at("bpf_* kfunc tags"), 16u + 10);
  // VAR (16) + the section's head (12) + its entry (12) + ".data..percpu" and "runqueues".
  EXPECT_EQ(s.families.at("per-CPU variables"), 16u + 24u + 14 + 10);
  EXPECT_EQ(s.families.at("tracepoints (__tracepoint_*)"), 16u + 12u + 15);
  EXPECT_EQ(s.families.at("sections (DATASEC)"), 12u + 6);
  EXPECT_EQ(s.families.at("base types"), 16u + 4);
  EXPECT_EQ(s.families.at("unreachable anonymous types"), 12u);   // the pointer [13]
  EXPECT_EQ(s.families.at("unreferenced strings"), 1u);   // the leading NUL
  EXPECT_EQ(s.kinds.at("DATASEC"), 48u);
  EXPECT_EQ(s.kinds.at("DECL_TAG"), 32u);
}

TEST(Size, DeltasAddUpToTheSizeDifference) {
  auto a = parse(kernelish(false));
  auto b = parse(kernelish(true));
  const size::Breakdown sa = size::breakdown(*a), sb = size::breakdown(*b);
  const size::Comparison c = size::compare(sa, &sb);
  EXPECT_EQ(c.total.delta(), int64_t(b->bytes().size()) - int64_t(a->bytes().size()));
  int64_t fam = 0, kinds = 0;
  for (const size::Row& r : c.families) fam += r.delta();
  for (const size::Row& r : c.kinds) kinds += r.delta();
  EXPECT_EQ(fam, c.total.delta());
  EXPECT_EQ(kinds, c.total.delta());
  // The new member: 12 bytes of record and "data_len" (9), all in sk_buff's family.
  for (const size::Row& r : c.families)
    EXPECT_EQ(r.delta(), r.name == "types sk_*" ? 21 : 0) << r.name;
  const std::string json = size::render_json(c, size::By::Both);
  EXPECT_NE(json.find("\"total\":{\"a\":" + std::to_string(sa.total)), std::string::npos) << json;
  EXPECT_NE(json.find("{\"name\":\"types sk_*\",\"a\":111,\"b\":132,\"delta\":21}"), std::string::npos)
      << json;
  const std::string text = size::render_text(c, size::By::Family, 1, "a.btf", "b.btf");
  EXPECT_NE(text.find("types sk_*"), std::string::npos) << text;   // the largest delta first
  EXPECT_NE(text.find("more)"), std::string::npos) << text;        // the rest in one line
}

TEST(Size, SplitCountsOnlyItsOwnBytes) {
  auto base = parse(kernelish());
  BtfBuilder s = BtfBuilder::split(*base);
  s.add_struct("mod_priv", 4, {{"x", 1, 0}});   // base int; "x" is new, "mod_priv" too
  auto split = s.build().parse(base);
  ASSERT_TRUE(split.ok());
  const size::Breakdown b = size::breakdown(**split);
  EXPECT_EQ(b.total, (*split)->bytes().size());
  EXPECT_EQ(sum(b.families), b.total);
  EXPECT_EQ(b.families.at("types mod_*"), 24u + 9 + 2);
}

}  // namespace
}  // namespace btfcheck::testing
