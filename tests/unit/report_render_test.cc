// btfcheck report: results model, escaping, chart marks, determinism, history, summary.
#include <gtest/gtest.h>

#include <regex>

#include "reports/report.h"
#include "reports/text.h"

namespace btfcheck::report {
namespace {

nlohmann::json run(const std::string& in, const std::string& p, const std::string& status,
                   int64_t size = 100, bool valid = true) {
  nlohmann::json r = {{"input", in}, {"producer", p}, {"status", status}, {"version", p + " 1.0"}};
  if (status != "ok") {
    r["reason"] = "no <tool> & \"quotes\"";
    return r;
  }
  r["wall_s"] = 0.5;
  r["cpu_s"] = 0.25;
  r["peak_rss_kb"] = 2048;
  r["size"] = {{"total", size}, {"header", 24}, {"types", size - 40}, {"strings", 16}};
  r["types"] = 3;
  r["kinds"] = {{"STRUCT", 1}, {"INT", 2}};
  r["digest"] = "0123456789abcdef";
  r["verify"] = {{"valid", valid}, {"violations", valid ? 0 : 2},
                 {"rules", valid ? nlohmann::json::object() : nlohmann::json{{"datasec.size", 2}}}};
  if (p != "pahole")
    r["vs_reference"] = {{"equal", false}, {"changes", 1}, {"summary", {{"size", 1}}},
                         {"first_changes", {"size struct <b>: 4 -> 8"}}};
  return r;
}

nlohmann::json doc(std::vector<nlohmann::json> runs) {
  return {{"schema", "btfcheck-matrix/1"}, {"created", 1700000000}, {"reference", "pahole"},
          {"rules", {"int-names"}},
          {"producers", {{{"name", "pahole"}, {"version", "v1.24"}},
                         {{"name", "gcc"}, {"version", "12"}},
                         {{"name", "clang-14"}, {"version", "14"}}}},
          {"runs", runs}};
}

Results load(const nlohmann::json& d) {
  auto r = load_results({{"r.json", d}});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().str());
  return *r;
}

size_t count(const std::string& s, const std::regex& re) {
  return size_t(std::distance(std::sregex_iterator(s.begin(), s.end(), re), std::sregex_iterator()));
}

std::string chart(const std::string& html, const std::string& id) {
  const size_t a = html.find("id=\"" + id + "\"");
  if (a == std::string::npos) return "";
  return html.substr(a, html.find("</svg>", a) - a);
}

TEST(ReportModel, SortsRunsAndKeepsProducerOrder) {
  Results r = load(doc({run("zeta", "gcc", "ok"), run("alpha", "clang-14", "ok"),
                        run("alpha", "pahole", "ok"), run("alpha", "gcc", "skipped")}));
  ASSERT_EQ(r.runs.size(), 4u);
  EXPECT_EQ(r.inputs, (std::vector<std::string>{"alpha", "zeta"}));
  EXPECT_EQ(r.runs[0].producer, "pahole");
  EXPECT_EQ(r.runs[1].producer, "gcc");
  EXPECT_EQ(r.runs[2].producer, "clang-14");
  const auto t = totals(r);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[1].producer, "gcc");
  EXPECT_EQ(t[1].ok, 1);
  EXPECT_EQ(t[1].skipped, 1);
}

TEST(ReportModel, RejectsOtherSchemasAndDuplicates) {
  nlohmann::json d = doc({run("a", "gcc", "ok")});
  d["schema"] = "something/2";
  EXPECT_FALSE(load_results({{"x.json", d}}).ok());
  auto dup = load_results({{"a.json", doc({run("a", "gcc", "ok")})},
                           {"b.json", doc({run("a", "gcc", "ok")})}});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().str().find("a.json"), std::string::npos);
}

TEST(ReportModel, ToleratesMistypedFields) {
  nlohmann::json bad = {{"input", "a"}, {"producer", "gcc"}, {"status", "ok"}, {"size", "big"},
                        {"kinds", {1, 2}}, {"verify", 3}, {"wall_s", "slow"}};
  Results r = load(doc({bad}));
  ASSERT_EQ(r.runs.size(), 1u);
  EXPECT_EQ(r.runs[0].size.total, 0);
  EXPECT_FALSE(render_html(r, {}).empty());
}

TEST(ReportHtml, OneMarkPerOkRunAndEverythingEscaped) {
  Results r = load(doc({run("a<script>", "pahole", "ok"), run("a<script>", "gcc", "ok", 200, false),
                        run("a<script>", "clang-14", "skipped"), run("b", "pahole", "ok"),
                        run("b", "gcc", "failed"), run("b", "clang-14", "ok")}));
  const std::string h = render_html(r, {});
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_NE(h.find("a&lt;script&gt;"), std::string::npos);
  EXPECT_NE(h.find("size struct &lt;b&gt;"), std::string::npos);
  EXPECT_EQ(h.find("http://"), h.find("http://www.w3.org/2000/svg"));   // only the xmlns
  const std::regex mark("class=\"mark\"");
  for (const char* id : {"size-by-case", "time-by-case", "rss-by-case"})
    EXPECT_EQ(count(chart(h, id), mark), 4u) << id;
  for (const char* id : {"size-by-producer", "time-by-producer", "rss-by-producer", "kinds-by-producer"})
    EXPECT_EQ(count(chart(h, id), mark), 3u) << id;
  // Stacked size bars: type, string and header segments.
  EXPECT_EQ(count(chart(h, "size-by-case"), std::regex("class=\"seg\"")), 12u);
  EXPECT_NE(h.find("no &lt;tool&gt; &amp; &quot;quotes&quot;"), std::string::npos);
  EXPECT_NE(h.find("datasec.size"), std::string::npos);
  EXPECT_EQ(h.find("trend-size"), std::string::npos);   // no history
}

TEST(ReportHtml, Deterministic) {
  auto d = doc({run("a", "pahole", "ok"), run("a", "gcc", "ok"), run("b", "clang-14", "ok")});
  auto d2 = doc({run("b", "clang-14", "ok"), run("a", "gcc", "ok"), run("a", "pahole", "ok")});
  Results r1 = load(d), r2 = load(d2);
  EXPECT_EQ(render_html(r1, {}), render_html(r2, {}));
  EXPECT_EQ(render_markdown(r1, {}), render_markdown(r2, {}));
  EXPECT_EQ(render_json(r1, {}).dump(), render_json(r2, {}).dump());
}

TEST(ReportHistory, AppendsReplacesAndDrawsTrends) {
  Results r = load(doc({run("a", "pahole", "ok"), run("a", "gcc", "ok", 300)}));
  std::string text = append_history("", history_entry(r, "c1"));
  text = append_history(text, history_entry(r, "c1"));   // same run: replaced
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  nlohmann::json later = history_entry(r, "c2");
  later["created"] = 1700000100;
  text = append_history("garbage line\n" + text, later);
  size_t skipped = 0;
  Options o;
  o.history = parse_history(text, &skipped);
  EXPECT_EQ(skipped, 1u);
  ASSERT_EQ(o.history.size(), 2u);
  EXPECT_EQ(o.history[0].producers["gcc"].size, 300);
  EXPECT_EQ(o.history[0].date, "2023-11-14T22:13:20Z");
  const std::string h = render_html(r, o);
  EXPECT_EQ(count(chart(h, "trend-size"), std::regex("class=\"mark\"")), 4u);   // 2 entries x 2
  EXPECT_EQ(count(chart(h, "trend-time"), std::regex("class=\"mark\"")), 4u);
}

TEST(ReportSummary, WorstFirstAndRegressionsFromHistory) {
  Results r = load(doc({run("a", "pahole", "ok"), run("a", "gcc", "ok", 300, false),
                        run("b", "gcc", "failed")}));
  Options o;
  HistoryEntry prev;
  prev.commit = "abc";
  prev.created = 1;
  prev.producers["gcc"] = Point{1, 100, 60, 16, 3, 0.5, 0.2, 10, 0, 0, {}};
  o.history = {prev};
  const auto w = worst_first(r, o);
  ASSERT_GE(w.size(), 3u);
  EXPECT_NE(w[0].what.find("verify violations 0 → 2"), std::string::npos);
  const std::string md = render_markdown(r, o);
  EXPECT_NE(md.find("| gcc |"), std::string::npos);
  EXPECT_NE(md.find("failed"), std::string::npos);
  EXPECT_LT(md.size(), 8000u);
}

nlohmann::json with_breakdown(nlohmann::json r, std::map<std::string, int64_t> fams) {
  int64_t sum = 0;
  for (const auto& [k, v] : fams) sum += v;
  r["size_breakdown"] = {{"bytes", sum}, {"family_count", fams.size() + 7}, {"families", fams},
                         {"kinds", {{"header", 24}, {"STRUCT", sum - 24}}}};
  return r;
}

TEST(ReportHtml, SizeBreakdownChartsStackFamiliesAndKinds) {
  // 14 families on one run: the report shows the 12 largest and one segment for the rest.
  std::map<std::string, int64_t> many;
  for (int i = 0; i < 14; ++i) many["types f" + std::to_string(i) + "_*"] = 100 + i;
  many["(other families)"] = 1000;
  Results r = load(doc({with_breakdown(run("a", "pahole", "ok"), many),
                        with_breakdown(run("a", "gcc", "ok"), {{"types <sk>_*", 500}, {"header", 24}}),
                        run("b", "pahole", "ok"), run("b", "gcc", "skipped")}));
  const std::string h = render_html(r, {});
  const std::regex mark("class=\"mark\""), seg("class=\"seg\"");
  EXPECT_EQ(count(chart(h, "size-families"), mark), 2u);   // the runs that recorded one
  EXPECT_EQ(count(chart(h, "size-kinds"), mark), 2u);
  // The 12 largest of the report: gcc's <sk> (500) and pahole's f13..f3. pahole: 11 of them
  // and the rest; gcc: <sk> and the rest (its header).
  EXPECT_EQ(count(chart(h, "size-families"), seg), 12u + 2u);
  EXPECT_NE(chart(h, "size-families").find("types &lt;sk&gt;_*"), std::string::npos);
  EXPECT_NE(chart(h, "size-families").find("22 families in all"), std::string::npos);
  EXPECT_EQ(h.find("(other families)"), std::string::npos) << "the rest is drawn as 'other families'";
  // No breakdown anywhere: a sentence instead of empty charts.
  const std::string none = render_html(load(doc({run("a", "pahole", "ok")})), {});
  EXPECT_EQ(none.find("id=\"size-families\""), std::string::npos);
  EXPECT_NE(none.find("No run recorded a size breakdown"), std::string::npos);
}

TEST(ReportHtml, ReproducibilityTable) {
  nlohmann::json same = run("a", "pahole", "ok"), differs = run("b", "pahole", "ok");
  same["repro"] = {{"jobs", 2}, {"bytes_equal", true}, {"serial_wall_s", 1.5}};
  differs["repro"] = {{"jobs", 2}, {"bytes_equal", false}, {"canonical", {{"equal", false}, {"changes", 3}}}};
  const std::string h = render_html(load(doc({same, differs})), {});
  EXPECT_NE(h.find("<td class=\"good\">same bytes</td>"), std::string::npos);
  EXPECT_NE(h.find("bytes differ; canonical graph differs: 3 change(s)"), std::string::npos);
  EXPECT_EQ(render_html(load(doc({run("a", "pahole", "ok")})), {}).find("id=\"repro\""), std::string::npos);
}

TEST(ReportHistory, FamilyTrendFollowsTheLargestFamilies) {
  Results r1 = load(doc({with_breakdown(run("a", "pahole", "ok"), {{"types sk_*", 300}, {"header", 24}})}));
  nlohmann::json e1 = history_entry(r1, "c1");
  ASSERT_TRUE(e1["producers"]["pahole"].contains("families"));
  EXPECT_EQ(e1["producers"]["pahole"]["families"]["types sk_*"], 300);
  Results r2 = load(doc({with_breakdown(run("a", "pahole", "ok"), {{"types sk_*", 400}, {"header", 24}})}));
  nlohmann::json e2 = history_entry(r2, "c2");
  e2["created"] = 1700000100;
  Options o;
  o.history = parse_history(append_history(append_history("", e1), e2));
  ASSERT_EQ(o.history.size(), 2u);
  EXPECT_EQ(o.history[1].producers["pahole"].families["types sk_*"], 400);
  const std::string h = render_html(r2, o);
  // Two series (sk_*, header) over two entries.
  EXPECT_EQ(count(chart(h, "trend-families"), std::regex("class=\"mark\"")), 4u);
  EXPECT_NE(chart(h, "trend-families").find("types sk_* (pahole)"), std::string::npos);
}

nlohmann::json feature_doc() {
  return nlohmann::json::parse(R"J({
    "schema": "btfcheck-feature-cost/1", "input": "vmlinux<1>", "producer": "pahole-master",
    "version": "v1.31", "baseline": {"features": "default", "bytes": 1000},
    "rows": [
      {"feature": "global_var", "in_default": false, "without": "default", "with": "default,global_var",
       "bytes_without": 1000, "bytes_with": 1400, "delta": 400,
       "families": [{"name": "variables <x>_*", "delta": 300}, {"name": "sections (DATASEC)", "delta": 100}]},
      {"feature": "decl_tag_kfuncs", "in_default": true, "without": "encode_force,var", "with": "default",
       "bytes_without": 990, "bytes_with": 1000, "delta": 10,
       "families": [{"name": "bpf_* kfunc tags", "delta": 10}]},
      {"feature": "shrinker", "without": "default", "with": "default,shrinker",
       "bytes_without": 1000, "bytes_with": 900, "delta": -100,
       "families": [{"name": "functions f_*", "delta": -120}, {"name": "header", "delta": 20}]},
      {"feature": "broken", "error": "pahole <crashed>"}]})J");
}

TEST(ReportFeatureCost, TableAndChartPerFeature) {
  auto fc = parse_feature_cost(feature_doc(), "fc.json");
  ASSERT_TRUE(fc.ok()) << fc.error().str();
  ASSERT_EQ(fc->rows.size(), 4u);
  EXPECT_EQ(fc->rows[2].delta(), -100);
  Options o;
  o.feature_costs = {*fc};
  // A page of feature costs alone.
  const std::string alone = render_html(load_results({}).value(), o);
  EXPECT_EQ(count(chart(alone, "feature-cost"), std::regex("class=\"mark\"")), 3u);   // not the failed row
  EXPECT_NE(alone.find("decl_tag_kfuncs <i>(in default)</i>"), std::string::npos);
  EXPECT_NE(alone.find("+40.00%"), std::string::npos);
  EXPECT_NE(alone.find("variables &lt;x&gt;_* +300"), std::string::npos);
  EXPECT_NE(alone.find("pahole &lt;crashed&gt;"), std::string::npos);
  EXPECT_NE(alone.find("the feature makes the BTF smaller"), std::string::npos);
  EXPECT_EQ(alone.find("id=\"size-by-case\""), std::string::npos);
  // With matrix results: the section comes last; summary and JSON carry it too.
  Results r = load(doc({run("a", "pahole", "ok")}));
  EXPECT_NE(render_html(r, o).find("id=\"feature-cost\""), std::string::npos);
  const std::string md = render_markdown(r, o);
  EXPECT_NE(md.find("| global_var | `default` → `default,global_var` | 1400 | +400 | +40.00% |"),
            std::string::npos) << md;
  EXPECT_EQ(render_json(r, o)["feature_costs"][0]["rows"][0]["delta"], 400);
  // Costs under 0.1% keep a third decimal (layout on a vmlinux: +80 bytes of 4.7 MB).
  nlohmann::json tiny = feature_doc();
  tiny["rows"] = {{{"feature", "layout"}, {"without", "default"}, {"with", "default,layout"},
                   {"bytes_without", 4688861}, {"bytes_with", 4688941}, {"delta", 80}, {"families", nlohmann::json::array()}}};
  auto tfc = parse_feature_cost(tiny, "tiny.json");
  ASSERT_TRUE(tfc.ok()) << tfc.error().str();
  o.feature_costs = {*tfc};
  EXPECT_NE(render_html(r, o).find("+0.002%"), std::string::npos);
  nlohmann::json other = feature_doc();
  other["schema"] = "btfcheck-matrix/1";
  EXPECT_FALSE(parse_feature_cost(other, "x.json").ok());
}

TEST(ReportText, Escapers) {
  EXPECT_EQ(html_escape("<a href='x'>&\x01"), "&lt;a href=&#39;x&#39;&gt;&amp;\xEF\xBF\xBD");
  EXPECT_EQ(html_escape("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(gh_prop("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
  EXPECT_EQ(gh_data("a:b\r\n"), "a:b%0D%0A");
  EXPECT_EQ(md_cell("a|b\nc"), "a\\|b c");
}

}  // namespace
}  // namespace btfcheck::report
