// verify --kernel X.Y (comparator/verify/releases.h): every verdict-changing row of the
// release table has a blob whose verdict flips between the release before it and the
// release that introduced it, and the table's plumbing (parsing release names, stable
// backports, the default) holds.
#include <map>
#include <string>

#include "comparator/verify/releases.h"
#include "tests/unit/verify_test_util.h"

namespace btfcheck::testing {
namespace {

verify::Kernel K(std::string_view spec) { return *verify::parse_kernel(spec); }

bool valid_on(const Image& img, std::string_view release) {
  return check(img, nullptr, verify::options_for(K(release))).valid();
}

// The release right before `since` ("6.4" -> "6.3", "next" -> the newest numbered one).
std::string before(std::string_view since) {
  if (since == "next") return verify::newest_kernel().name();
  const verify::Kernel k = K(since);
  return std::to_string(k.major) + "." + std::to_string(k.minor - 1);
}

// One blob per change id (the probe cases of /work/notes/kernel-releases.md §5) and whether
// the change accepts it (true) or rejects it (false).
struct Flip {
  Image img;
  bool accepted_since;
};

Image struct_dot() {  // name.struct-dot: INT; STRUCT 'a.b' {int x}
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_struct("a.b", 4, {{"x", i, 0}});
  return b.build();
}

Image datasec_named(std::string_view name) {  // DATASEC name {VAR a}
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  uint32_t a = b.add_var("a", i, kVarGlobal);
  b.add_datasec(name, 4, {{a, 0, 4}});
  return b.build();
}

Image type_tag_kflag() {  // kflag.type_tag: PTR -> TYPE_TAG(kflag=1, 'attr') -> INT
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  uint32_t t = b.add_type_tag("attr", i, true);
  b.add_ptr(t);
  return b.build();
}

Image layout_present() {  // hdr.len32-layout-present: types, layout, strings (pahole master)
  BtfBuilder b;
  b.add_int("int", 4, 32, kIntSigned);
  return insert_layout(b.build(Endian::Little, Layout{btf::kLayoutHeaderSize}));
}

Image wide_struct() {  // info.vlen-0x10001-struct: STRUCT with 65537 INT members
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  std::vector<Member> m;
  for (uint32_t k = 0; k < 0x10001; ++k) m.push_back({"", i, 32 * k});
  const uint32_t s = b.add_struct("wide", 4 * 0x10001, m);
  Image img = b.build();
  img.set_word(s, 1, (uint32_t(Kind::Struct) << 24) | 0x10001);  // the builder keeps 16 bits
  return img;
}

Image tag_after_const() {  // tag.after-const: PTR -> CONST -> TYPE_TAG -> INT
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  uint32_t t = b.add_type_tag("user", i);
  uint32_t c = b.add_const(t);
  b.add_ptr(c);
  return b.build();
}

std::map<std::string, Flip> flips() {
  return {
      {"name.dots", {struct_dot(), true}},
      {"datasec.printable-tail", {datasec_named("?.struct_ops"), true}},
      {"datasec.printable", {datasec_named("\x01" "data"), false}},
      {"tag.kflag", {type_tag_kflag(), true}},
      {"header.layout", {layout_present(), true}},
      {"info.wide", {wide_struct(), true}},
      {"tag.order", {tag_after_const(), true}},
  };
}

TEST(Releases, EveryChangeFlipsABlob) {
  const auto table = flips();
  for (const verify::Change& c : verify::changes()) {
    SCOPED_TRACE(std::string(c.id));
    if (c.id == "base.distilled") {  // a property of the container, not of the blob
      EXPECT_TRUE(verify::check_distilled_base(verify::options_for(K(before(c.since)))).has_value());
      EXPECT_FALSE(verify::check_distilled_base(verify::options_for(K(c.since))).has_value());
      continue;
    }
    auto it = table.find(std::string(c.id));
    ASSERT_NE(it, table.end()) << "no blob for change " << c.id;
    const Flip& f = it->second;
    const std::string prev = before(c.since);
    EXPECT_EQ(valid_on(f.img, prev), !f.accepted_since)
        << prev << ":\n" << dump(check(f.img, nullptr, verify::options_for(K(prev))));
    EXPECT_EQ(valid_on(f.img, c.since), f.accepted_since)
        << c.since << ":\n" << dump(check(f.img, nullptr, verify::options_for(K(c.since))));
  }
}

TEST(Releases, FlipsNameTheRuleTheTableSays) {
  // The rule that moves is one the change's row lists.
  const auto table = flips();
  for (const verify::Change& c : verify::changes()) {
    auto it = table.find(std::string(c.id));
    if (it == table.end()) continue;
    const std::string rejecting = it->second.accepted_since ? before(c.since) : std::string(c.since);
    const verify::Report r = check(it->second.img, nullptr, verify::options_for(K(rejecting)));
    ASSERT_FALSE(r.valid()) << c.id;
    for (const verify::Violation& v : r.violations)
      EXPECT_NE(std::string(c.rules).find(v.rule), std::string::npos)
          << c.id << " on " << rejecting << " reports " << v.rule << ", not in [" << c.rules << "]";
  }
}

TEST(Releases, StableBackportOfDots) {
  const Image img = struct_dot();
  EXPECT_FALSE(valid_on(img, "6.1"));
  EXPECT_FALSE(valid_on(img, "6.1.35"));
  EXPECT_TRUE(valid_on(img, "6.1.36"));
  EXPECT_TRUE(valid_on(img, "6.1.192"));
  EXPECT_FALSE(valid_on(img, "6.3"));
}

TEST(Releases, VarNamesKeepTheirDotsOnLegacyRules) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_var("x.1234", i, kVarStatic);
  EXPECT_TRUE(valid_on(b.build(), "6.1"));
}

TEST(Releases, DatasecFirstByteUncheckedOnlyIn69And610) {
  const Image img = datasec_named("\x01" "data");
  EXPECT_FALSE(valid_on(img, "6.8"));
  EXPECT_TRUE(valid_on(img, "6.9"));
  EXPECT_TRUE(valid_on(img, "6.10"));
  EXPECT_FALSE(valid_on(img, "6.11"));
  EXPECT_FALSE(valid_on(img, "6.18"));
}

TEST(Releases, ParseNamesAndSuffixes) {
  EXPECT_EQ(K("6.18.44-fc-v1272").name(), "6.18.44");
  EXPECT_EQ(K("6.12.118+deb12-cloud-amd64").name(), "6.12.118");
  EXPECT_EQ(K("6.1").name(), "6.1");
  EXPECT_TRUE(K("bpf-next").next);
  std::string why;
  EXPECT_FALSE(verify::parse_kernel("5.15", &why).has_value());
  EXPECT_NE(why.find("6.18"), std::string::npos) << why;
  EXPECT_FALSE(verify::parse_kernel("6.19").has_value());
  EXPECT_FALSE(verify::parse_kernel("six").has_value());
}

TEST(Releases, DefaultIsTheNewestRelease) {
  const verify::Options d{}, n = verify::options_for(verify::newest_kernel());
  EXPECT_EQ(d.kernel, n.kernel);
  EXPECT_EQ(d.legacy_names, n.legacy_names);
  EXPECT_EQ(d.section_names, n.section_names);
  EXPECT_EQ(d.strict_tag_kflag, n.strict_tag_kflag);
  EXPECT_EQ(d.header_size, n.header_size);
  EXPECT_EQ(d.layout_checks, n.layout_checks);
  EXPECT_EQ(d.info, n.info);
  EXPECT_EQ(d.type_tag_order, n.type_tag_order);
  EXPECT_EQ(d.distilled_base, n.distilled_base);
  EXPECT_EQ(d.resolve, n.resolve);
}

TEST(Releases, TableListsEveryChangeAndRelease) {
  const std::string t = verify::release_table();
  for (const verify::Change& c : verify::changes()) {
    EXPECT_NE(t.find(std::string(c.id)), std::string::npos) << c.id;
    EXPECT_TRUE(verify::parse_kernel(c.since).has_value()) << c.since;
    for (size_t at = 0; at < c.rules.size();) {  // every rule id it names exists
      size_t end = c.rules.find(", ", at);
      const std::string id(c.rules.substr(at, end == std::string_view::npos ? end : end - at));
      EXPECT_NE(verify::find_rule(id), nullptr) << c.id << ": " << id;
      at = end == std::string_view::npos ? c.rules.size() : end + 2;
    }
  }
  for (std::string_view r : {"6.1", "6.9", "6.15", "6.18", "next"})
    EXPECT_NE(t.find(std::string(r)), std::string::npos) << r;
}

TEST(Releases, ReportsNameTheReleaseJudged) {
  const Image img = struct_dot();
  const verify::Report r = check(img, nullptr, verify::options_for(K("6.12")));
  EXPECT_EQ(r.kernel, "6.12");
  EXPECT_NE(verify::format_text(r, "x.btf", "").find("6.12"), std::string::npos);
  EXPECT_NE(verify::format_json(r, "x.btf", "").find("\"kernel\":\"6.12\""), std::string::npos);
}

}  // namespace
}  // namespace btfcheck::testing
