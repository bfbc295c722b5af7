// btfcheck gate: baseline round trip (stored BTF), digest/size/verify/status/speed checks,
// suppressions, JUnit and annotation output, source locator.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "btf_builder.h"
#include "reports/blob_store.h"
#include "reports/gate.h"

namespace btfcheck::report {
namespace {

using namespace btfcheck::testing;
namespace fs = std::filesystem;

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("btfcheck-gate-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "corpora/cases");
    std::ofstream(dir_ / "corpora/manifest.json")
        << R"({"cases": [{"name": "c1", "source": "cases/c1.c"}]})";
    std::ofstream(dir_ / "corpora/cases/c1.c") << "/* c1 */\nstruct s {\n\tint a;\n\tint b;\n};\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // struct s { A a; int b; } with A = int or long.
  std::string write_btf(const std::string& name, bool wide_a) {
    BtfBuilder b;
    const uint32_t i = b.add_int("int", 4, 32, kIntSigned);
    const uint32_t l = b.add_int("long", 8, 64, kIntSigned);
    b.add_struct("s", 16, {{"a", wide_a ? l : i, 0}, {"b", i, 64}});
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.build().bytes.data()),
                                               std::streamsize(b.build().bytes.size()));
    return path;
  }

  nlohmann::json run(const std::string& p, const std::string& out, const std::string& digest,
                     int64_t size = 100, bool valid = true, double wall = 1) {
    return {{"input", "c1"}, {"producer", p}, {"status", "ok"}, {"version", "1"},
            {"output", out}, {"digest", digest}, {"wall_s", wall},
            {"size", {{"total", size}, {"header", 24}, {"types", size - 40}, {"strings", 16}}},
            {"verify", {{"valid", valid}, {"violations", valid ? 0 : 1},
                        {"rules", valid ? nlohmann::json::object() : nlohmann::json{{"x.y", 1}}}}}};
  }

  Results results(std::vector<nlohmann::json> runs) {
    nlohmann::json d = {{"schema", "btfcheck-matrix/1"}, {"reference", "pahole"}, {"runs", runs}};
    auto r = load_results({{"r.json", d}});
    EXPECT_TRUE(r.ok());
    return *r;
  }

  Baseline baseline(const Results& r, BlobStats* stats = nullptr) {
    const std::string path = (dir_ / "base.json").string();
    auto doc = make_baseline(r, default_blob_dir(path), stats, nullptr);
    EXPECT_TRUE(doc.ok());
    std::ofstream(path) << doc->dump(1);
    auto b = read_baseline(path);
    EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().str());
    return *b;
  }

  GateOptions opts() {
    GateOptions o;
    o.corpus_dir = (dir_ / "corpora").string();
    o.case_sources["c1"] = {(dir_ / "corpora/cases/c1.c").string()};
    o.cwd = dir_.string();
    return o;
  }

  fs::path dir_;
};

TEST_F(GateTest, IdenticalRunPasses) {
  const std::string a = write_btf("a.btf", false);
  Results r = results({run("pahole", a, "d1"), run("gcc", a, "d1")});
  BlobStats st;
  Baseline b = baseline(r, &st);
  EXPECT_EQ(st.referenced.size(), 1u);   // identical outputs stored once
  GateResult g = gate(b, r, opts());
  EXPECT_TRUE(g.pass());
  EXPECT_EQ(g.compared, 2u);
  EXPECT_EQ(g.cases.size(), 2u);
}

TEST_F(GateTest, ChangedMemberTypeFailsWithPathAndLine) {
  const std::string a = write_btf("a.btf", false), c = write_btf("c.btf", true);
  Baseline b = baseline(results({run("gcc", a, "d1")}));
  fs::remove(a);   // the baseline's own copy is what is diffed
  GateResult g = gate(b, results({run("gcc", c, "d2")}), opts());
  ASSERT_FALSE(g.pass());
  bool found = false;
  for (const Finding& f : g.findings)
    if (f.level == "error" && f.message.find("type struct s.a: int -> long") != std::string::npos) {
      found = true;
      EXPECT_EQ(f.file, "corpora/cases/c1.c");
      EXPECT_EQ(f.line, 3);
      EXPECT_EQ(f.producer, "gcc");
    }
  EXPECT_TRUE(found);
  const std::string ann = annotations(g);
  EXPECT_NE(ann.find("::error file=corpora/cases/c1.c,line=3,title=btfcheck gate%3A gcc on c1%3A type struct s.a::"),
            std::string::npos) << ann;
  const std::string xml = junit_xml(g);
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"digest\""), std::string::npos);
}

TEST_F(GateTest, SuppressionAcceptsTheChange) {
  const std::string a = write_btf("a.btf", false), c = write_btf("c.btf", true);
  Baseline b = baseline(results({run("gcc", a, "d1")}));
  GateOptions o = opts();
  auto sups = diff::parse_suppressions(
      "[suppress]\ncategory = type\npath = ^struct s\\.a$\nreason = widened on purpose\n"
      "[suppress]\ncategory = added\nreason = the new long\n", "x.supp");
  ASSERT_TRUE(sups.ok());
  o.suppressions = *sups;
  GateResult g = gate(b, results({run("gcc", c, "d2")}), o);
  EXPECT_TRUE(g.pass());
  ASSERT_FALSE(g.accepted.empty());
  EXPECT_NE(g.accepted[0].find("widened on purpose"), std::string::npos);
}

TEST_F(GateTest, SizeVerifyStatusMissingNew) {
  const std::string a = write_btf("a.btf", false);
  Baseline b = baseline(results({run("gcc", a, "d1", 100), run("clang-14", a, "d1"),
                                 run("bpf-gcc", a, "d1")}));
  nlohmann::json failed = {{"input", "c1"}, {"producer", "bpf-gcc"}, {"status", "failed"},
                           {"reason", "compiler crashed"}};
  GateResult g = gate(b, results({run("gcc", a, "d1", 106), run("clang-14", a, "d1", 100, false),
                                  failed, run("pahole", a, "d1")}), opts());
  std::map<std::string, std::string> by_check;
  for (const Finding& f : g.findings) by_check[f.check] += f.level + " ";
  EXPECT_EQ(by_check["size"], "error ");
  EXPECT_EQ(by_check["verify"], "error ");
  EXPECT_EQ(by_check["status"], "error ");
  EXPECT_EQ(by_check["new"], "notice ");
  EXPECT_EQ(g.findings[0].check, "status");   // heaviest first
  GateOptions o = opts();
  o.size_pct = 10;
  GateResult g2 = gate(b, results({run("gcc", a, "d1", 106), run("clang-14", a, "d1"),
                                   run("bpf-gcc", a, "d1")}), o);
  EXPECT_TRUE(g2.pass());
  GateResult g3 = gate(b, results({run("gcc", a, "d1")}), opts());
  EXPECT_TRUE(g3.pass());
  EXPECT_EQ(g3.count("warning"), 2u);   // two missing runs
}

TEST_F(GateTest, SpeedBudget) {
  auto sb = SpeedBudget::parse("3,gcc=1.5");
  ASSERT_TRUE(sb.ok());
  EXPECT_EQ(*sb->for_producer("clang-14"), 3);
  EXPECT_EQ(*sb->for_producer("gcc"), 1.5);
  EXPECT_FALSE(SpeedBudget::parse("gcc=fast").ok());
  EXPECT_FALSE(SpeedBudget::parse("-1").ok());
  const std::string a = write_btf("a.btf", false);
  Results r = results({run("pahole", a, "d1", 100, true, 1.0), run("gcc", a, "d1", 100, true, 2.0),
                       run("clang-14", a, "d1", 100, true, 2.0)});
  Baseline b = baseline(r);
  GateOptions o = opts();
  o.speed = *sb;
  GateResult g = gate(b, r, o);
  ASSERT_EQ(g.count("error"), 1u);
  EXPECT_EQ(g.findings[0].producer, "gcc");
  EXPECT_NE(g.findings[0].message.find("ratio 2.00 (budget 1.50"), std::string::npos);
  EXPECT_EQ(g.findings[0].title, "gcc: over the speed budget");
}

TEST_F(GateTest, DigestChangeWithoutBtfStillFails) {
  Results old = results({run("gcc", "/nonexistent.btf", "d1")});
  std::vector<std::string> notes;
  auto doc = make_baseline(old, (dir_ / "blobs").string(), nullptr, &notes);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(notes.size(), 1u);
  Baseline b;
  b.results = old;
  GateResult g = gate(b, results({run("gcc", "/nonexistent2.btf", "d2")}), opts());
  ASSERT_FALSE(g.pass());
  EXPECT_NE(g.findings[0].message.find("d1 -> d2; no canonical diff"), std::string::npos);
}

TEST_F(GateTest, BlobsAreStoredOnceByContentAndChecked) {
  const std::string a = write_btf("a.btf", false), same = write_btf("same.btf", false);
  const std::string c = write_btf("c.btf", true);
  BlobStats st;
  Baseline b = baseline(results({run("gcc", a, "d1"), run("clang-14", same, "d1"), run("pahole", c, "d2")}), &st);
  EXPECT_EQ(st.written, 2u);              // identical outputs share one file
  EXPECT_EQ(st.referenced.size(), 2u);
  EXPECT_EQ(b.blob_dir, (dir_ / "base.blobs").string());
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(b.blob_dir)) {
    ++files;
    EXPECT_EQ(e.path().extension(), ".xz");
    EXPECT_TRUE(is_blob_key(e.path().filename().string().substr(0, 64)));
  }
  EXPECT_EQ(files, 2u);
  // The baseline JSON holds keys, not bytes; the bytes come back from the store.
  const std::string json = [&] { std::ifstream in(dir_ / "base.json"); return std::string(std::istreambuf_iterator<char>(in), {}); }();
  EXPECT_NE(json.find("btfcheck-baseline/2"), std::string::npos);
  EXPECT_EQ(json.find("\"blobs\""), std::string::npos);
  std::ifstream in(a, std::ios::binary);
  const std::vector<uint8_t> want{std::istreambuf_iterator<char>(in), {}};
  auto got = run_btf(b, *b.results.find("c1", "gcc"));
  ASSERT_TRUE(got.ok()) << got.error().str();
  EXPECT_EQ(*got, want);
  // An unchanged rerun writes nothing.
  BlobStats again;
  baseline(results({run("gcc", a, "d1"), run("clang-14", same, "d1"), run("pahole", c, "d2")}), &again);
  EXPECT_EQ(again.written, 0u);
  // Pruning keeps what is referenced and removes the rest, never other files.
  std::ofstream(dir_ / "base.blobs" / "README") << "not a blob";
  auto pruned = prune_blobs(b.blob_dir, {blob_key(want)});
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1u);
  EXPECT_TRUE(fs::exists(dir_ / "base.blobs" / "README"));
  EXPECT_TRUE(fs::exists(blob_path(b.blob_dir, blob_key(want))));
}

TEST_F(GateTest, CorruptOrMissingBlobIsAnErrorNamingIt) {
  const std::string a = write_btf("a.btf", false);
  Baseline b = baseline(results({run("gcc", a, "d1")}));
  std::ifstream in(a, std::ios::binary);
  const std::string key = blob_key(std::vector<uint8_t>{std::istreambuf_iterator<char>(in), {}});
  const std::string file = blob_path(b.blob_dir, key);
  // Flip one byte of the compressed file: the xz CRC or the SHA-256 check catches it.
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(40);
  f.put('\x5a');
  f.close();
  auto got = run_btf(b, *b.results.find("c1", "gcc"));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().str().find(file), std::string::npos) << got.error().str();
  fs::remove(file);
  got = run_btf(b, *b.results.find("c1", "gcc"));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().str().find("missing"), std::string::npos) << got.error().str();
}

TEST_F(GateTest, VersionOneBaselineWithInlineBlobsIsStillRead) {
  const std::string a = write_btf("a.btf", false), c = write_btf("c.btf", true);
  std::ifstream in(a, std::ios::binary);
  const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = uint32_t(bytes[i]) << 16 | (i + 1 < bytes.size() ? bytes[i + 1] << 8 : 0) |
                 (i + 2 < bytes.size() ? bytes[i + 2] : 0);
    b64 += kB64[v >> 18 & 63];
    b64 += kB64[v >> 12 & 63];
    b64 += i + 1 < bytes.size() ? kB64[v >> 6 & 63] : '=';
    b64 += i + 2 < bytes.size() ? kB64[v & 63] : '=';
  }
  nlohmann::json r = run("gcc", "", "d1");
  r.erase("output");
  r["btf"] = "k1";
  nlohmann::json doc = {{"schema", "btfcheck-baseline/1"}, {"reference", "pahole"},
                        {"runs", {r}}, {"blobs", {{"k1", b64}}}};
  std::ofstream(dir_ / "v1.json") << doc.dump();
  auto b = read_baseline((dir_ / "v1.json").string());
  ASSERT_TRUE(b.ok()) << b.error().str();
  auto got = run_btf(*b, *b->results.find("c1", "gcc"));
  ASSERT_TRUE(got.ok()) << got.error().str();
  EXPECT_EQ(*got, bytes);
  GateResult g = gate(*b, results({run("gcc", c, "d2")}), opts());   // the diff needs the blob
  ASSERT_FALSE(g.pass());
  EXPECT_NE(g.findings[0].message.find("type struct s.a: int -> long"), std::string::npos)
      << g.findings[0].message;
}

// A run with a recorded size breakdown (the matrix's "size_breakdown").
nlohmann::json with_families(nlohmann::json r, std::map<std::string, int64_t> fams) {
  int64_t sum = 0;
  for (const auto& [k, v] : fams) sum += v;
  r["size_breakdown"] = {{"bytes", sum}, {"family_count", fams.size()}, {"families", fams},
                         {"kinds", {{"header", 24}}}};
  return r;
}

TEST_F(GateTest, FamilyBudgetFailsOnlyOverPercentAndFloor) {
  const std::string a = write_btf("a.btf", false);
  Baseline b = baseline(results({with_families(run("pahole", a, "d1"),
                                               {{"types sk_*", 10000}, {"variables x*", 100},
                                                {"(other families)", 50000}})}));
  GateOptions o = opts();
  o.family_pct = 10;
  o.family_min_bytes = 1024;
  // sk_* +20% (2000 bytes): fails; x* +900% but 900 bytes: under the floor; the rest: never.
  GateResult g = gate(b, results({with_families(run("pahole", a, "d1"),
                                                {{"types sk_*", 12000}, {"variables x*", 1000},
                                                 {"(other families)", 90000}})}), o);
  ASSERT_EQ(g.count("error"), 1u);
  EXPECT_EQ(g.findings[0].check, "family");
  EXPECT_NE(g.findings[0].message.find("size family 'types sk_*': 10000 -> 12000 bytes (+2000, +20.0%"),
            std::string::npos) << g.findings[0].message;
  // Within the budget, or without one: passes.
  GateResult g2 = gate(b, results({with_families(run("pahole", a, "d1"), {{"types sk_*", 10900}})}), o);
  EXPECT_TRUE(g2.pass());
  o.family_pct.reset();
  EXPECT_TRUE(gate(b, results({with_families(run("pahole", a, "d1"), {{"types sk_*", 90000}})}), o).pass());
}

TEST_F(GateTest, ReproCheckNamesTheCheckAndHowItDiffers) {
  const std::string a = write_btf("a.btf", false);
  Baseline b = baseline(results({run("pahole", a, "d1")}));
  nlohmann::json bytes_only = run("pahole", a, "d1");
  bytes_only["repro"] = {{"jobs", 4}, {"bytes_equal", false}, {"canonical", {{"equal", true}, {"changes", 0}}}};
  GateResult g = gate(b, results({bytes_only}), opts());
  ASSERT_EQ(g.count("error"), 1u);
  EXPECT_EQ(g.findings[0].check, "repro");
  EXPECT_EQ(g.findings[0].title, "pahole on c1: not reproducible (serial vs -j4)");
  EXPECT_NE(g.findings[0].message.find("reproducibility: the -j4 output differs from the serial (-j1) "
                                       "one in bytes; the canonical graph is the same"),
            std::string::npos) << g.findings[0].message;
  EXPECT_NE(junit_xml(g).find("<failure type=\"repro\""), std::string::npos);
  GateOptions canonical_only = opts();
  canonical_only.repro_canonical = true;
  EXPECT_TRUE(gate(b, results({bytes_only}), canonical_only).pass());
  nlohmann::json graph = run("pahole", a, "d1");
  graph["repro"] = {{"jobs", 2}, {"bytes_equal", false},
                    {"canonical", {{"equal", false}, {"changes", 3}, {"first_changes", {"copy-added func f#1"}}}}};
  GateResult g2 = gate(b, results({graph}), canonical_only);
  ASSERT_EQ(g2.count("error"), 1u);
  EXPECT_NE(g2.findings[0].message.find("the canonical graph differs too: 3 change(s)"), std::string::npos);
  EXPECT_EQ(g2.findings[0].details, std::vector<std::string>{"copy-added func f#1"});
  nlohmann::json same = run("pahole", a, "d1");
  same["repro"] = {{"jobs", 2}, {"bytes_equal", true}};
  EXPECT_TRUE(gate(b, results({same}), opts()).pass());
  nlohmann::json broken = run("pahole", a, "d1");
  broken["repro"] = {{"error", "serial run failed: boom"}};
  EXPECT_FALSE(gate(b, results({broken}), opts()).pass());
}

TEST_F(GateTest, RssBudgetProducersFilterAndExternalFindings) {
  const std::string a = write_btf("a.btf", false);
  nlohmann::json ref = run("pahole", a, "d1"), mine = run("gcc", a, "d1"), other = run("clang-14", a, "d2");
  ref["peak_rss_kb"] = 1000;
  mine["peak_rss_kb"] = 3000;
  other["peak_rss_kb"] = 9000;
  Baseline b = baseline(results({ref, run("gcc", a, "d1"), run("clang-14", a, "d1")}));
  GateOptions o = opts();
  o.rss = *SpeedBudget::parse("2");
  o.producers = {"gcc"};   // clang-14's changed digest and RSS are not gated
  auto ext = parse_findings(nlohmann::json::parse(R"([
      {"level": "error", "check": "kernel-load", "input": "c1", "producer": "gcc",
       "message": "BPF_BTF_LOAD: rejected: EINVAL", "details": ["log line"]},
      {"level": "notice", "check": "verify-kernel", "input": "", "producer": "gcc",
       "message": "not available"},
      {"level": "error", "check": "kernel-load", "input": "c1", "producer": "clang-14",
       "message": "not gated"}])"), "f.json");
  ASSERT_TRUE(ext.ok()) << ext.error().str();
  o.external = *ext;
  GateResult g = gate(b, results({ref, mine, other}), o);
  std::map<std::string, std::string> by_check;
  for (const Finding& f : g.findings) {
    EXPECT_EQ(f.producer, "gcc") << f.title;
    by_check[f.check] += f.level + " ";
  }
  EXPECT_EQ(by_check["rss"], "error ");
  for (const Finding& f : g.findings)
    if (f.check == "rss") {
      EXPECT_EQ(f.title, "gcc: over the peak RSS budget");
    }
  EXPECT_EQ(by_check["kernel-load"], "error ");
  EXPECT_EQ(by_check["verify-kernel"], "notice ");
  EXPECT_EQ(by_check.count("digest"), 0u);
  const std::string xml = junit_xml(g);
  EXPECT_NE(xml.find("name=\"rss\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"verify-kernel\""), std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"kernel-load\""), std::string::npos);
  // Malformed findings are an error naming the file and the entry.
  auto bad = parse_findings(nlohmann::json::parse(R"([{"level": "fatal", "check": "x", "producer": "p", "message": "m"}])"), "f.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().str().find("f.json"), std::string::npos);
  EXPECT_NE(bad.error().str().find("finding 0"), std::string::npos);
  EXPECT_FALSE(parse_findings(nlohmann::json::object(), "f.json").ok());
}

TEST_F(GateTest, SplitBtfIsDiffedOnTheRunsBase) {
  // Base: int; split: struct s { int a; } (string offsets continue the base's).
  BtfBuilder base;
  base.add_int("int", 4, 32, kIntSigned);
  const auto image = base.build();
  auto parsed = image.parse();
  ASSERT_TRUE(parsed.ok());
  const std::string base_path = (dir_ / "base.btf").string();
  std::ofstream(base_path, std::ios::binary)
      .write(reinterpret_cast<const char*>(image.bytes.data()), std::streamsize(image.bytes.size()));
  auto write_split = [&](const std::string& name, const char* member) {
    BtfBuilder sp = BtfBuilder::split(**parsed);
    sp.add_struct("s", 4, {{member, 1, 0}});
    const auto bytes = sp.build().bytes;
    const std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return p;
  };
  nlohmann::json a = run("pahole", write_split("a.btf", "a"), "d1"), c = run("pahole", write_split("c.btf", "b"), "d2");
  a["base"] = c["base"] = base_path;
  Baseline b = baseline(results({a}));
  GateResult g = gate(b, results({c}), opts());
  ASSERT_FALSE(g.pass());
  bool named = false;
  for (const Finding& f : g.findings) named |= f.message.find("struct s.a") != std::string::npos;
  EXPECT_TRUE(named) << g.findings[0].message;
}

TEST(GateLocate, FindsTypesAndMembers) {
  const fs::path p = fs::temp_directory_path() / ("btfcheck-locate-" + std::to_string(::getpid()) + ".c");
  std::ofstream(p) << "/* struct s is here */\ntypedef int t;\nstruct s {\n\tint x;\n\tstruct {\n"
                      "\t\tint y;\n\t} in;\n};\nint f(int a)\n{\n\treturn a;\n}\n";
  const std::vector<std::string> src = {p.string()};
  EXPECT_EQ(locate(src, "struct s.x").second, 4);
  EXPECT_EQ(locate(src, "struct s.(anon struct@32).y").second, 6);
  EXPECT_EQ(locate(src, "struct s").second, 3);
  EXPECT_EQ(locate(src, "struct s.x[]").second, 4);
  EXPECT_EQ(locate(src, "typedef t").second, 2);
  EXPECT_EQ(locate(src, "func f.param1").second, 9);
  EXPECT_EQ(locate(src, "double").second, 0);
  EXPECT_EQ(locate(src, "struct nope.x").second, 0);
  fs::remove(p);
}

}  // namespace
}  // namespace btfcheck::report
