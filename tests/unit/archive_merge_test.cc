// The canonical archive merge (encode archive --dedup=canonical): never merges types that
// are not structurally equal, unifies forwards when unambiguous (also through cycles of
// forwards, which a decide-forwards-first merge never settles), reports what stays
// ambiguous, and agrees with libbpf's merge where that one is already minimal.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string_view>

#include "btf/btf.h"
#include "canon/canon.h"
#include "comparator/diff/diff.h"
#include "comparator/verify/verify.h"
#include "encoder/archive/archive.h"
#include "tests/unit/btf_builder.h"
#include "tests/unit/btf_rewrite.h"
#include "tests/unit/test_inputs.h"
#include "tests/unit/require.h"
#include "tests/unit/text_util.h"

namespace btfcheck {
namespace {

using testing::BtfBuilder;
using btf::Kind;

using testing::bytes_of;
using testing::ld_concat;

struct Merged {
  std::shared_ptr<const btf::Btf> btf;
  archive::Ambiguities amb;
  archive::Stats stats;
};

Merged merge(const std::vector<std::vector<uint8_t>>& members,
             const std::vector<std::string>& rules = {}, bool sanitize = true,
             std::vector<uint8_t>* raw = nullptr) {
  Merged m;
  const auto archive_bytes = ld_concat(members);
  auto r = archive::merge_canonical(archive_bytes, "test.btf", "", nullptr, &m.amb,
                                    archive::CanonicalOptions{rules, sanitize, 0});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().str());
  if (!r.ok()) return m;
  m.stats = r->stats;
  if (raw) *raw = r->bytes;
  auto p = btf::Btf::parse(r->bytes, {});
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().str());
  if (p.ok()) m.btf = *p;
  return m;
}

using testing::count_lines;

std::string canon_text(const btf::Btf& b) { return canon::text(canon::build(b)); }

TEST(ArchiveMerge, DifferentSameNamedTypesStayApart) {
  BtfBuilder a, b;
  const uint32_t ia = a.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t ca = a.add_int("char", 1, 8, testing::kIntSigned);
  a.add_struct("clash", 8, {{"a", ia, 0}, {"b", ca, 32}});
  const uint32_t lb = b.add_int("long", 8, 64, testing::kIntSigned);
  b.add_struct("clash", 24, {{"x", lb, 0}, {"y", lb, 64}, {"z", lb, 128}});
  const Merged m = merge({bytes_of(a), bytes_of(b)});
  ASSERT_TRUE(m.btf);
  EXPECT_EQ(count_lines(canon_text(*m.btf), "struct clash#"), 2u) << canon_text(*m.btf);
  EXPECT_TRUE(verify::verify(*m.btf).valid());
}

TEST(ArchiveMerge, IdenticalMembersCollapseToOne) {
  BtfBuilder a;
  const uint32_t i = a.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t s = a.add_struct("node", 16, {{"v", i, 0}});
  const uint32_t p = a.add_ptr(s);
  a.add_func("f", a.add_func_proto(i, {{"n", p}}), testing::kFuncGlobal);
  const Merged m = merge({bytes_of(a), bytes_of(a), bytes_of(a)});
  ASSERT_TRUE(m.btf);
  EXPECT_EQ(m.stats.members, 3u);
  EXPECT_EQ(m.btf->own_count(), 5u);   // int, struct, ptr, proto, func
  EXPECT_TRUE(m.amb.forwards.empty() && m.amb.funcs.empty());
}

// Two definitions that refer to each other, each member seeing the other only as a FWD:
// unifying forwards only after definitions are equal would never merge them.
TEST(ArchiveMerge, ForwardCyclesUnify) {
  auto member = [](bool x_defined, bool y_defined) {
    BtfBuilder b;
    const uint32_t fx = x_defined ? 0 : b.add_fwd("X");
    const uint32_t fy = y_defined ? 0 : b.add_fwd("Y");
    // X { struct Y *y; } and Y { struct X *x; }, with ids fixed up below.
    const uint32_t px = b.add_ptr(fx), py = b.add_ptr(fy);
    uint32_t x = fx, y = fy;
    if (x_defined) x = b.add_struct("X", 8, {{"y", py, 0}});
    if (y_defined) y = b.add_struct("Y", 8, {{"x", px, 0}});
    // Point the pointers at the definitions where this member has them.
    auto img = b.build();
    if (x_defined) img.set_word(px, 2, x);
    if (y_defined) img.set_word(py, 2, y);
    return img.bytes;
  };
  const Merged m = merge({member(true, true), member(true, false), member(false, true)});
  ASSERT_TRUE(m.btf);
  const std::string text = canon_text(*m.btf);
  EXPECT_EQ(count_lines(text, "struct X"), 1u) << text;
  EXPECT_EQ(count_lines(text, "struct Y"), 1u) << text;
  EXPECT_EQ(count_lines(text, "fwd "), 0u) << text;
  EXPECT_TRUE(m.amb.forwards.empty());
}

TEST(ArchiveMerge, AmbiguousForwardIsReportedNotGuessed) {
  BtfBuilder a, b, c;
  const uint32_t ia = a.add_int("int", 4, 32, testing::kIntSigned);
  a.add_struct("X", 4, {{"a", ia, 0}});
  const uint32_t lb = b.add_int("long", 8, 64, testing::kIntSigned);
  b.add_struct("X", 8, {{"b", lb, 0}});
  const uint32_t fx = c.add_fwd("X");
  c.add_struct("holder", 8, {{"x", c.add_ptr(fx), 0}});
  const Merged m = merge({bytes_of(a), bytes_of(b), bytes_of(c)});
  ASSERT_TRUE(m.btf);
  ASSERT_EQ(m.amb.forwards.size(), 1u);
  EXPECT_EQ(m.amb.forwards[0], "struct X: 2 definitions");
  EXPECT_EQ(count_lines(canon_text(*m.btf), "fwd struct X"), 1u);
}

TEST(ArchiveMerge, ConflictingFunctionPrototypesReported) {
  BtfBuilder a, b;
  const uint32_t ia = a.add_int("int", 4, 32, testing::kIntSigned);
  a.add_func("f", a.add_func_proto(ia, {{"x", ia}}), testing::kFuncGlobal);
  const uint32_t ib = b.add_int("int", 4, 32, testing::kIntSigned);
  b.add_func("f", b.add_func_proto(ib, {{"x", ib}, {"y", ib}}), testing::kFuncGlobal);
  const Merged m = merge({bytes_of(a), bytes_of(b)});
  ASSERT_TRUE(m.btf);
  EXPECT_EQ(m.amb.funcs, std::vector<std::string>{"func f: 2 prototypes"});
}

TEST(ArchiveMerge, RulesParamNamesAndFwdKind) {
  // Member a names the parameter and defines enum E; member b leaves the parameter
  // unnamed and, as gcc 12 does for an incomplete enum, has a struct FWD named E.
  BtfBuilder a, b;
  const uint32_t ia = a.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t ea = a.add_enum("E", 4, {{"E_A", 1}});
  a.add_struct("S", 8, {{"e", a.add_ptr(ea), 0}});
  a.add_func("g", a.add_func_proto(ia, {{"count", ia}}), testing::kFuncGlobal);
  const uint32_t ib = b.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t fe = b.add_fwd("E");
  b.add_struct("S", 8, {{"e", b.add_ptr(fe), 0}});
  b.add_func("g", b.add_func_proto(ib, {{"", ib}}), testing::kFuncGlobal);
  const Merged strict = merge({bytes_of(b), bytes_of(a)});
  ASSERT_TRUE(strict.btf);
  EXPECT_EQ(count_lines(canon_text(*strict.btf), "struct S#"), 2u);
  const Merged m = merge({bytes_of(b), bytes_of(a)}, {"param-names", "fwd-kind"});
  ASSERT_TRUE(m.btf);
  const std::string text = canon_text(*m.btf);
  EXPECT_EQ(count_lines(text, "struct S"), 1u) << text;
  EXPECT_EQ(count_lines(text, "func g"), 1u) << text;
  // The copy with the parameter name is kept, though the nameless one came first.
  EXPECT_NE(text.find("func g := func global fn(int count) -> int"), std::string::npos) << text;
  // A rule that would rewrite records unfaithfully is refused.
  auto bad = archive::merge_canonical(ld_concat({bytes_of(a)}), "t", "", nullptr, nullptr, {"int-names"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().rule, "usage.rule");
}

// Real kernel types: merging a slice with itself is the slice; merging it with a one-field
// mutation of itself keeps the mutated type apart (never merged into the original).
TEST(ArchiveMerge, MutationsAreNeverMerged) {
  std::string why;
  auto full = testing::open_real(testing::cloud_vmlinux_path(), why);
  if (!full) full = testing::open_real(testing::sysfs_vmlinux_path(), why);
  if (!full) BTFCHECK_SKIP("cloud|sysfs") << why;
  std::mt19937_64 rng(7);
  int done = 0;
  for (uint64_t seed = 1; seed < 40 && done < 60; ++seed) {
    const std::vector<uint8_t> slice = testing::slice(*full, seed, 3);
    auto sb = btf::Btf::parse(slice, {});
    ASSERT_TRUE(sb.ok());
    const canon::Graph gs = canon::build(**sb);
    // Without sanitize: a mutation that breaks a kernel rule (a DATASEC offset, say) must
    // survive the merge itself; sanitize's drops are tested on their own below.
    const Merged self = merge({slice, slice}, {}, false);
    ASSERT_TRUE(self.btf);
    ASSERT_EQ(diff::diff(gs, canon::build(*self.btf)).unsuppressed(), 0u);
    for (int k = 0; k < 10; ++k) {
      auto mut = testing::mutate(**sb, rng);
      if (!mut) continue;
      const Merged m = merge({slice, mut->bytes}, {}, false);
      ASSERT_TRUE(m.btf);
      // The mutated variant survives next to the original: the merge differs from the
      // slice, and has more types than the slice merged with itself.
      const diff::Report r = diff::diff(gs, canon::build(*m.btf));
      ASSERT_GT(r.unsuppressed(), 0u) << "mutation merged away: " << mut->category << " at " << mut->path;
      EXPECT_GT(m.btf->own_count(), self.btf->own_count()) << mut->category << " at " << mut->path;
      ++done;
    }
  }
  EXPECT_GE(done, 60);
}

// Members are parsed and modelled in parallel: the output is the same bytes for every -j.
TEST(ArchiveMerge, SameBytesForEveryJobCount) {
  std::vector<std::vector<uint8_t>> members;
  std::string why;
  auto full = testing::open_real(testing::cloud_vmlinux_path(), why);
  if (!full) full = testing::open_real(testing::sysfs_vmlinux_path(), why);
  if (full)
    for (uint64_t seed = 1; seed <= 24; ++seed) members.push_back(testing::slice(*full, seed, 3));
  for (int k = 0; k < 8; ++k) {   // and hand-made ones, with forwards across members
    BtfBuilder b;
    const uint32_t i = b.add_int("int", 4, 32, testing::kIntSigned);
    const uint32_t x = k % 2 ? b.add_fwd("X") : b.add_struct("X", 4, {{"a", i, 0}});
    b.add_struct("holder" + std::to_string(k % 3), 8, {{"x", b.add_ptr(x), 0}});
    members.push_back(bytes_of(b));
  }
  const auto bytes = ld_concat(members);
  std::vector<uint8_t> first;
  for (unsigned jobs : {1u, 2u, 3u, 8u}) {
    auto r = archive::merge_canonical(bytes, "t", "", nullptr, nullptr,
                                      archive::CanonicalOptions{{"param-names"}, true, jobs});
    ASSERT_TRUE(r.ok()) << r.error().str();
    if (first.empty()) first = r->bytes;
    EXPECT_EQ(r->bytes, first) << "-j " << jobs;
  }
  // A member with broken framing is reported the same way for every -j: the first one.
  auto broken = members;
  broken[1].resize(30);
  broken[3].resize(30);
  std::string error;
  for (unsigned jobs : {1u, 4u}) {
    auto r = archive::merge_canonical(ld_concat(broken), "t", "", nullptr, nullptr,
                                      archive::CanonicalOptions{{}, true, jobs});
    ASSERT_FALSE(r.ok());
    if (error.empty()) error = r.error().str();
    EXPECT_EQ(r.error().str(), error);
  }
}

// --- sanitize (sanitize.cc): one member per reason, as gcc 12's per-object BTF has them.

std::multiset<std::string> rules_of(const btf::Btf& b) {
  std::multiset<std::string> r;
  for (const verify::Violation& v : verify::verify(b).violations) r.insert(v.rule);
  return r;
}

// The type of `kind` named `name` in `b` (0 when there is none).
uint32_t find(const btf::Btf& b, Kind kind, std::string_view name) {
  for (uint32_t id = b.start_id(); id < b.type_count(); ++id)
    if (b.type(id).kind() == uint32_t(kind) && b.type(id).name() == name) return id;
  return 0;
}

TEST(ArchiveSanitize, EachReasonDroppedOrFixed) {
  BtfBuilder a;
  const uint32_t ul = a.add_int("long unsigned int", 8, 64);
  const uint32_t i = a.add_int("int", 4, 32, testing::kIntSigned);
  a.add_int("char", 1, 8, testing::kIntSigned | testing::kIntChar);          // int-encoding
  a.add_array(i, ul, 4);                                                     // a regular index
  a.add_struct("flex", 8, {{"n", i, 0}, {"d", a.add_array(i, 0, 0), 32}});   // array-index
  const uint32_t fwd = a.add_fwd("M");
  a.set_word(fwd, 2, i);                                                     // fwd-type
  // An unlinked object's DATASEC (size 0, entries at object-relative offsets): dropped with
  // the VARs only it lists; a valid per-CPU DATASEC and its VAR stay.
  const uint32_t v1 = a.add_var("counter", i), v2 = a.add_var("limit", i);
  a.add_datasec(".bss", 0, {{v1, 0, 4}, {v2, 0, 4}});                        // datasec-invalid
  const uint32_t pv = a.add_var("percpu_x", i);
  a.add_datasec(".data..percpu", 8, {{pv, 0, 4}});
  const uint32_t proto = a.add_func_proto(i, {{"", i}});
  a.add_func("", proto, testing::kFuncStatic);                               // func-unnamed
  // Its own prototype and the pointer and qualifier only that uses go with it.
  a.add_func("", a.add_func_proto(i, {{"p", a.add_ptr(a.add_const(i))}}));   // anon-orphan x3
  const uint32_t unnamed_params = a.add_func("h", proto);                   // func-arg-name
  a.add_decl_tag("tag", unnamed_params);                                     // decl-tag-orphan
  a.add_func("not_a_proto", i);                                              // func-proto
  a.add_struct("ops", 8, {{"cb", a.add_ptr(proto), 0}});   // the prototype stays: a pointer uses it
  // gcc 12: an incomplete enum passed by value, emitted as a struct FWD.
  const uint32_t e = a.add_fwd("stage");
  a.add_func("intercept", a.add_func_proto(i, {{"s", a.add_const(e)}}));   // fwd-by-value
  a.add_func("g", a.add_func_proto(i, {{"n", i}}));

  std::vector<uint8_t> raw;
  const Merged plain = merge({bytes_of(a)}, {}, false, &raw);
  ASSERT_TRUE(plain.btf);
  const std::multiset<std::string> before = rules_of(*plain.btf);
  for (const char* r : {"int.encoding", "ref.void", "fwd.type", "datasec.size", "name.required",
                        "func.arg-name", "func.proto", "proto.arg"})
    EXPECT_GE(before.count(r), 1u) << r;
  EXPECT_FALSE(plain.stats.sanitized);

  const Merged m = merge({bytes_of(a)});
  ASSERT_TRUE(m.btf);
  EXPECT_TRUE(rules_of(*m.btf).empty()) << *rules_of(*m.btf).begin();
  const archive::SanitizeStats& s = m.stats.sanitize;
  EXPECT_TRUE(m.stats.sanitized);
  EXPECT_EQ(s.datasec_dropped, 1u);
  EXPECT_EQ(s.var_dropped, 2u);
  EXPECT_EQ(s.func_unnamed, 2u);
  EXPECT_EQ(s.func_arg_name, 1u);
  EXPECT_EQ(s.anon_orphan, 3u);
  EXPECT_EQ(s.func_proto, 1u);
  EXPECT_EQ(s.decl_tag_dropped, 1u);
  EXPECT_EQ(s.fwd_type, 1u);
  EXPECT_EQ(s.int_encoding, 1u);
  EXPECT_EQ(s.array_index, 1u);
  EXPECT_EQ(s.fwd_by_value, 1u);
  EXPECT_EQ(s.kept_referenced, 0u);
  EXPECT_EQ(s.types_added, 0u);
  EXPECT_EQ(m.btf->own_count(), plain.btf->own_count() - s.dropped());
  EXPECT_EQ(m.stats.types_after, m.btf->own_count());
  EXPECT_EQ(s.summary(),
            "sanitize: dropped 11 (datasec-invalid 1, var-unlisted 2, func-unnamed 2, "
            "func-arg-name 1, func-proto 1, decl-tag-orphan 1, anon-orphan 3); fixed 4 (fwd-type 1, "
            "int-encoding 1, array-index 1, fwd-by-value 1)");
  // What stays, and how it was fixed.
  const btf::Btf& b = *m.btf;
  EXPECT_NE(find(b, Kind::Datasec, ".data..percpu"), 0u);
  EXPECT_NE(find(b, Kind::Var, "percpu_x"), 0u);
  EXPECT_EQ(find(b, Kind::Var, "counter"), 0u);
  EXPECT_EQ(find(b, Kind::Func, "h"), 0u);
  EXPECT_NE(find(b, Kind::Func, "g"), 0u);
  EXPECT_NE(find(b, Kind::Func, "intercept"), 0u);
  EXPECT_EQ(b.type(find(b, Kind::Int, "char")).int_encoding(), testing::kIntSigned);
  EXPECT_EQ(b.type(find(b, Kind::Fwd, "M")).type(), 0u);
  const uint32_t stage = find(b, Kind::Enum, "stage");
  ASSERT_NE(stage, 0u);
  EXPECT_EQ(b.type(stage).size(), 4u);
  EXPECT_EQ(b.type(stage).vlen(), 0u);
  const btf::Type flex = b.type(find(b, Kind::Struct, "flex"));
  EXPECT_EQ(b.type(flex.member(1).type).array().index_type, find(b, Kind::Int, "long unsigned int"));
  const btf::Type ops = b.type(find(b, Kind::Struct, "ops"));
  EXPECT_EQ(b.type(b.type(ops.member(0).type).type()).kind(), uint32_t(Kind::FuncProto));
}

TEST(ArchiveSanitize, AddsArraySizeTypeWhenNoIndexTypeExists) {
  BtfBuilder a;
  const uint32_t c = a.add_int("char", 1, 8, testing::kIntSigned);
  a.add_struct("msg", 1, {{"body", a.add_array(c, 0, 0), 0}});
  const Merged m = merge({bytes_of(a)});
  ASSERT_TRUE(m.btf);
  EXPECT_TRUE(rules_of(*m.btf).empty());
  EXPECT_EQ(m.stats.sanitize.array_index, 1u);
  EXPECT_EQ(m.stats.sanitize.types_added, 1u);
  const uint32_t idx = find(*m.btf, Kind::Int, "__ARRAY_SIZE_TYPE__");
  ASSERT_EQ(idx, m.btf->type_count() - 1);   // appended last
  EXPECT_EQ(m.btf->type(idx).size(), 4u);
  EXPECT_EQ(m.btf->type(idx).int_bits(), 32u);
  EXPECT_EQ(m.stats.types_after, m.btf->own_count());
}

// A drop candidate that another type still refers to is kept (and counted), never left
// dangling; what it refers to stays too.
TEST(ArchiveSanitize, ReferencedCandidatesAreKept) {
  BtfBuilder a;
  const uint32_t i = a.add_int("int", 4, 32, testing::kIntSigned);
  const uint32_t f = a.add_func("", a.add_func_proto(i, {}), testing::kFuncStatic);
  a.add_typedef("fn_alias", f);
  const Merged m = merge({bytes_of(a)});
  ASSERT_TRUE(m.btf);
  EXPECT_EQ(m.stats.sanitize.func_unnamed, 0u);   // a candidate, but referenced
  EXPECT_EQ(m.stats.sanitize.kept_referenced, 1u);
  EXPECT_EQ(m.stats.sanitize.dropped(), 0u);
  const btf::Type td = m.btf->type(find(*m.btf, Kind::Typedef, "fn_alias"));
  EXPECT_EQ(m.btf->type(td.type()).kind(), uint32_t(Kind::Func));
}

// Valid BTF (what pahole -J emits per object) comes out byte for byte as the raw merge.
TEST(ArchiveSanitize, ValidMergeIsUnchanged) {
  BtfBuilder a, b;
  for (BtfBuilder* x : {&a, &b}) {
    const uint32_t i = x->add_int("int", 4, 32, testing::kIntSigned);
    const uint32_t ul = x->add_int("long unsigned int", 8, 64);
    x->add_struct("s", 16, {{"n", i, 0}, {"a", x->add_array(i, ul, 2), 32}});
    const uint32_t v = x->add_var(x == &a ? "pa" : "pb", i);
    x->add_datasec(".data..percpu", 8, {{v, 4, 4}});
    x->add_func("f", x->add_func_proto(i, {{"n", i}}));
  }
  std::vector<uint8_t> raw, sanitized;
  const Merged plain = merge({bytes_of(a), bytes_of(b)}, {}, false, &raw);
  const Merged m = merge({bytes_of(a), bytes_of(b)}, {}, true, &sanitized);
  ASSERT_TRUE(plain.btf && m.btf);
  EXPECT_TRUE(rules_of(*m.btf).empty());
  EXPECT_EQ(raw, sanitized);
  EXPECT_EQ(m.stats.sanitize.dropped() + m.stats.sanitize.fixed(), 0u);
}

}  // namespace
}  // namespace btfcheck
