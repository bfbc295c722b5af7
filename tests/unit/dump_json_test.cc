// `dump` json format: bpftool -j's document shape, field order and number types (including
// its sign extension of unsigned 32-bit enumerators), and proper JSON string escaping.
#include <gtest/gtest.h>

#include <string>

#include "btf/dump.h"
#include "btf_builder.h"

namespace btfcheck::testing {
namespace {

std::string full_json(const Image& img, std::shared_ptr<const btf::Btf> base = nullptr) {
  auto b = img.parse(std::move(base));
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().str());
  if (!b.ok()) return "";
  std::string out;
  dump::dump_json(**b, out);
  return out;
}

// What bpftool prints: the document up to btfcheck's own keys ("target", "layout"), closed.
std::string json(const Image& img, std::shared_ptr<const btf::Btf> base = nullptr) {
  const std::string out = full_json(img, std::move(base));
  const size_t at = out.rfind("],\"target\":{");
  EXPECT_NE(at, std::string::npos) << out;
  return at == std::string::npos ? out : out.substr(0, at) + "]}\n";
}

TEST(DumpJson, EmptyDocument) {
  BtfBuilder b;
  EXPECT_EQ(json(b.build()), "{\"types\":[]}\n");
}

TEST(DumpJson, TargetAndLayoutAfterTheTypes) {
  BtfBuilder b;
  b.add_int("long int", 4, 32, kIntSigned);
  EXPECT_EQ(full_json(b.build()),
            "{\"types\":[{\"id\":1,\"kind\":\"INT\",\"name\":\"long int\",\"size\":4,"
            "\"bits_offset\":0,\"nr_bits\":32,\"encoding\":\"SIGNED\"}],"
            "\"target\":{\"pointer_size\":4,\"byte_order\":\"little\",\"arch\":\"\",\"from\":\"btf\"}}\n");
  const std::string with = full_json(insert_layout(b.build(Endian::Little, Layout{32})));
  EXPECT_NE(with.find(",\"layout\":{\"offset\":16,\"length\":80,\"entries\":[{\"kind\":0,"
                      "\"name\":\"UNKN\",\"info_sz\":0,\"elem_sz\":0,\"flags\":0},{\"kind\":1,"
                      "\"name\":\"INT\",\"info_sz\":4,\"elem_sz\":0,\"flags\":0}"),
            std::string::npos) << with;
  EXPECT_NE(with.find("{\"kind\":4,\"name\":\"STRUCT\",\"info_sz\":0,\"elem_sz\":12,\"flags\":0}"),
            std::string::npos) << with;
}

TEST(DumpJson, EveryKindFieldOrder) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);                       // 1
  b.add_ptr(i);                                                           // 2
  b.add_array(i, i, 3);                                                   // 3
  b.add_struct("s", 4, {{"a", i, 0, 3}, {"b", i, 3}}, true);              // 4
  b.add_enum("e", 4, {{"N", -5}});                                        // 5
  b.add_enum("se", 4, {{"N", -5}}, true);                                 // 6
  b.add_enum64("e64", 8, {{"B", -2}});                                    // 7
  b.add_enum64("se64", 8, {{"B", -2}}, true);                             // 8
  b.add_fwd("f", true);                                                   // 9
  uint32_t p = b.add_func_proto(i, {{"x", i}, {"", 0}});                  // 10
  b.add_func("fn", p, kFuncExtern);                                       // 11
  uint32_t v = b.add_var("v", i, kVarStatic);                             // 12
  b.add_datasec(".data", 4, {{v, 0, 4}});                                 // 13
  b.add_float("float", 4);                                                // 14
  b.add_decl_tag("t", v);                                                 // 15
  b.add_type_tag("tt", i);                                                // 16
  EXPECT_EQ(
      json(b.build()),
      "{\"types\":["
      "{\"id\":1,\"kind\":\"INT\",\"name\":\"int\",\"size\":4,\"bits_offset\":0,\"nr_bits\":32,"
      "\"encoding\":\"SIGNED\"},"
      "{\"id\":2,\"kind\":\"PTR\",\"name\":\"(anon)\",\"type_id\":1},"
      "{\"id\":3,\"kind\":\"ARRAY\",\"name\":\"(anon)\",\"type_id\":1,\"index_type_id\":1,"
      "\"nr_elems\":3},"
      "{\"id\":4,\"kind\":\"STRUCT\",\"name\":\"s\",\"size\":4,\"vlen\":2,\"members\":["
      "{\"name\":\"a\",\"type_id\":1,\"bits_offset\":0,\"bitfield_size\":3},"
      "{\"name\":\"b\",\"type_id\":1,\"bits_offset\":3}]},"
      "{\"id\":5,\"kind\":\"ENUM\",\"name\":\"e\",\"encoding\":\"UNSIGNED\",\"size\":4,"
      "\"vlen\":1,\"values\":[{\"name\":\"N\",\"val\":18446744073709551611}]},"
      "{\"id\":6,\"kind\":\"ENUM\",\"name\":\"se\",\"encoding\":\"SIGNED\",\"size\":4,"
      "\"vlen\":1,\"values\":[{\"name\":\"N\",\"val\":-5}]},"
      "{\"id\":7,\"kind\":\"ENUM64\",\"name\":\"e64\",\"encoding\":\"UNSIGNED\",\"size\":8,"
      "\"vlen\":1,\"values\":[{\"name\":\"B\",\"val\":18446744073709551614}]},"
      "{\"id\":8,\"kind\":\"ENUM64\",\"name\":\"se64\",\"encoding\":\"SIGNED\",\"size\":8,"
      "\"vlen\":1,\"values\":[{\"name\":\"B\",\"val\":-2}]},"
      "{\"id\":9,\"kind\":\"FWD\",\"name\":\"f\",\"fwd_kind\":\"union\"},"
      "{\"id\":10,\"kind\":\"FUNC_PROTO\",\"name\":\"(anon)\",\"ret_type_id\":1,\"vlen\":2,"
      "\"params\":[{\"name\":\"x\",\"type_id\":1},{\"name\":\"(anon)\",\"type_id\":0}]},"
      "{\"id\":11,\"kind\":\"FUNC\",\"name\":\"fn\",\"type_id\":10,\"linkage\":\"extern\"},"
      "{\"id\":12,\"kind\":\"VAR\",\"name\":\"v\",\"type_id\":1,\"linkage\":\"static\"},"
      "{\"id\":13,\"kind\":\"DATASEC\",\"name\":\".data\",\"size\":4,\"vlen\":1,\"vars\":["
      "{\"type_id\":12,\"offset\":0,\"size\":4}]},"
      "{\"id\":14,\"kind\":\"FLOAT\",\"name\":\"float\",\"size\":4},"
      "{\"id\":15,\"kind\":\"DECL_TAG\",\"name\":\"t\",\"type_id\":12,\"component_idx\":-1},"
      "{\"id\":16,\"kind\":\"TYPE_TAG\",\"name\":\"tt\",\"type_id\":1}"
      "]}\n");
}

TEST(DumpJson, EmptyVlenArrays) {
  BtfBuilder b;
  b.add_struct("e", 0, {});
  b.add_func_proto(0, {});
  EXPECT_EQ(json(b.build()),
            "{\"types\":["
            "{\"id\":1,\"kind\":\"STRUCT\",\"name\":\"e\",\"size\":0,\"vlen\":0,\"members\":[]},"
            "{\"id\":2,\"kind\":\"FUNC_PROTO\",\"name\":\"(anon)\",\"ret_type_id\":0,\"vlen\":0,"
            "\"params\":[]}]}\n");
}

TEST(DumpJson, EscapesStringsAsJson) {
  BtfBuilder b;
  b.add_typedef(std::string("q\"b\\n\nt\tc\x01") + "'", 0);
  EXPECT_EQ(json(b.build()),
            "{\"types\":[{\"id\":1,\"kind\":\"TYPEDEF\",\"name\":"
            "\"q\\\"b\\\\n\\nt\\tc\\u0001'\",\"type_id\":0}]}\n");
}

TEST(DumpJson, InvalidNameAndSplitIds) {
  BtfBuilder base;
  base.add_int("int", 4, 32, kIntSigned);
  auto bb = base.build().parse();
  ASSERT_TRUE(bb.ok());
  BtfBuilder split = BtfBuilder::split(**bb);
  uint32_t t = split.add_typedef("x", 1);
  split.set_word(t, 0, 1u << 30);
  EXPECT_EQ(json(split.build(), *bb),
            "{\"types\":[{\"id\":2,\"kind\":\"TYPEDEF\",\"name\":\"(invalid)\",\"type_id\":1}]}\n");
}

}  // namespace
}  // namespace btfcheck::testing
