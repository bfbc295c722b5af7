// Feature-cost experiments on the page (`btfcheck size --features`, read by `btfcheck report`
// beside matrix results): per experiment a table (feature, the two feature lists compared,
// bytes, delta, percent, the delta's largest families) and one chart with a bar per feature
// whose segments are the families the delta went to (growth only; a row that shrinks the BTF
// is drawn by its magnitude, with a note).
#include <algorithm>
#include <cstdlib>

#include "reports/html_parts.h"
#include "reports/svg.h"
#include "reports/text.h"

namespace btfcheck::report {
namespace {

constexpr size_t kChartFamilies = 5;
constexpr size_t kTableFamilies = 3;

std::string str(const nlohmann::json& j, const char* k) {
  return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : "";
}
int64_t inum(const nlohmann::json& j, const char* k) {
  return j.is_object() && j.contains(k) && j[k].is_number_integer() ? j[k].get<int64_t>() : 0;
}

std::vector<std::pair<std::string, int64_t>> deltas(const nlohmann::json& rows) {
  std::vector<std::pair<std::string, int64_t>> out;
  if (!rows.is_array()) return out;
  for (const auto& r : rows)
    if (!str(r, "name").empty()) out.emplace_back(str(r, "name"), inum(r, "delta"));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::llabs(a.second) > std::llabs(b.second);
  });
  return out;
}

std::string signed_bytes(int64_t v) { return (v > 0 ? "+" : "") + std::to_string(v); }

std::string pct(const FeatureCostRow& r) {
  if (r.bytes_without <= 0) return "";
  const double p = 100.0 * double(r.delta()) / double(r.bytes_without);
  return (r.delta() >= 0 ? "+" : "") + fmt(p, p > -0.1 && p < 0.1 ? 3 : 2) + "%";   // layout: +0.002%
}

}  // namespace

Result<FeatureCost> parse_feature_cost(const nlohmann::json& doc, const std::string& file) {
  if (str(doc, "schema") != kFeatureCostSchema)
    return report_error("report.schema", file, std::string("not a feature-cost document (want ") +
                                                   kFeatureCostSchema + ")");
  FeatureCost c;
  c.file = file;
  c.input = str(doc, "input");
  c.producer = str(doc, "producer");
  c.version = str(doc, "version");
  if (doc.contains("baseline")) {
    c.baseline = str(doc["baseline"], "features");
    c.baseline_bytes = inum(doc["baseline"], "bytes");
  }
  if (doc.contains("rows") && doc["rows"].is_array())
    for (const auto& j : doc["rows"]) {
      FeatureCostRow r;
      r.feature = str(j, "feature");
      r.in_default = j.is_object() && j.value("in_default", false);
      r.with = str(j, "with");
      r.without = str(j, "without");
      r.bytes_with = inum(j, "bytes_with");
      r.bytes_without = inum(j, "bytes_without");
      r.error = str(j, "error");
      if (j.is_object() && j.contains("families")) r.families = deltas(j["families"]);
      if (j.is_object() && j.contains("kinds")) r.kinds = deltas(j["kinds"]);
      if (!r.feature.empty()) c.rows.push_back(std::move(r));
    }
  return c;
}

std::string feature_cost_section(const std::vector<FeatureCost>& costs) {
  std::string h;
  svg::BarChart chart;
  chart.id = "feature-cost";
  chart.title = "BTF bytes each feature adds (segments: the families the bytes went to)";
  chart.unit = "bytes";
  chart.format = [](double v) { return fmt_bytes(int64_t(v)); };
  chart.value_labels = true;
  std::vector<std::string> legend;   // family -> colour index, in first-seen order
  auto color = [&](const std::string& fam) {
    auto it = std::find(legend.begin(), legend.end(), fam);
    if (it == legend.end()) {
      legend.push_back(fam);
      it = legend.end() - 1;
    }
    return svg::kind_color(size_t(it - legend.begin()));
  };
  for (const FeatureCost& c : costs) {
    h += "<h3>" + html_escape(c.input) + " · " + html_escape(c.producer) +
         (c.version.empty() ? "" : " (" + html_escape(c.version) + ")") + "</h3>\n";
    h += "<p class=\"meta\">Baseline <code>" + html_escape(c.baseline) + "</code>: " +
         std::to_string(c.baseline_bytes) + " bytes. A feature in the default set costs the "
         "default minus the default without it. From <code>" + html_escape(c.file) + "</code>.</p>\n";
    h += "<table class=\"feature-cost\"><tr><th>feature</th><th>compared</th><th class=n>bytes without</th>"
         "<th class=n>bytes with</th><th class=n>cost</th><th class=n>%</th><th>largest families of the cost</th></tr>\n";
    for (const FeatureCostRow& r : c.rows) {
      if (!r.error.empty()) {
        h += "<tr><td>" + html_escape(r.feature) + "</td><td colspan=6 class=bad>" +
             html_escape(r.error) + "</td></tr>\n";
        continue;
      }
      std::string fams;
      for (size_t i = 0; i < r.families.size() && i < kTableFamilies; ++i)
        fams += (i ? ", " : "") + html_escape(r.families[i].first) + " " + signed_bytes(r.families[i].second);
      h += "<tr><td>" + html_escape(r.feature) + (r.in_default ? " <i>(in default)</i>" : "") +
           "</td><td><code>" + html_escape(r.without) + "</code> → <code>" + html_escape(r.with) +
           "</code></td><td class=n>" + std::to_string(r.bytes_without) + "</td><td class=n>" +
           std::to_string(r.bytes_with) + "</td><td class=n>" + signed_bytes(r.delta()) +
           "</td><td class=n>" + pct(r) + "</td><td>" + fams + "</td></tr>\n";
      // The bar: the delta's largest families with the row's sign, the rest as one segment.
      // One labelled bar per feature (and experiment, when there are several).
      const std::string label = r.feature + (costs.size() > 1 ? " · " + c.input : "");
      svg::Bar b{c.producer, label, {}, "cost " + signed_bytes(r.delta()) + " bytes (" + pct(r) + ")"};
      const int64_t sign = r.delta() < 0 ? -1 : 1;
      int64_t covered = 0;
      for (size_t i = 0; i < r.families.size() && b.segs.size() < kChartFamilies; ++i) {
        const int64_t v = r.families[i].second * sign;
        if (v <= 0) continue;
        b.segs.push_back({double(v), color(r.families[i].first), 1, r.families[i].first});
        covered += v;
      }
      const int64_t magnitude = r.delta() * sign;
      if (magnitude > covered) b.segs.push_back({double(magnitude - covered), "#cccccc", 1, "other families (net)"});
      if (sign < 0) b.tooltip += "; the feature makes the BTF smaller";
      if (b.segs.empty()) b.segs.push_back({0, "#cccccc", 1, "no change"});
      chart.groups.push_back({label, {std::move(b)}});
    }
    h += "</table>\n";
  }
  for (size_t i = 0; i < legend.size(); ++i) chart.legend.emplace_back(legend[i], svg::kind_color(i));
  chart.legend.emplace_back("other families (net)", "#cccccc");
  return svg::render(chart) + h;
}

std::string feature_cost_markdown(const std::vector<FeatureCost>& costs) {
  std::string md;
  for (const FeatureCost& c : costs) {
    md += "\n### Feature cost: " + md_cell(c.input) + " · " + md_cell(c.producer) + "\n\n" +
          "| feature | compared | bytes | cost | % | largest families |\n|---|---|--:|--:|--:|---|\n";
    for (const FeatureCostRow& r : c.rows) {
      if (!r.error.empty()) {
        md += "| " + md_cell(r.feature) + " | failed: " + md_cell(r.error) + " | | | | |\n";
        continue;
      }
      std::string fams;
      for (size_t i = 0; i < r.families.size() && i < kTableFamilies; ++i)
        fams += (i ? ", " : "") + md_cell(r.families[i].first) + " " + signed_bytes(r.families[i].second);
      md += "| " + md_cell(r.feature) + (r.in_default ? " (in default)" : "") + " | " +
            md_code(r.without) + " → " + md_code(r.with) + " | " + std::to_string(r.bytes_with) +
            " | " + signed_bytes(r.delta()) + " | " + pct(r) + " | " + fams + " |\n";
    }
  }
  return md;
}

nlohmann::json feature_cost_json(const std::vector<FeatureCost>& costs) {
  nlohmann::json out = nlohmann::json::array();
  for (const FeatureCost& c : costs) {
    nlohmann::json rows = nlohmann::json::array();
    for (const FeatureCostRow& r : c.rows)
      rows.push_back({{"feature", r.feature}, {"in_default", r.in_default}, {"with", r.with},
                      {"without", r.without}, {"bytes_with", r.bytes_with},
                      {"bytes_without", r.bytes_without}, {"delta", r.delta()}, {"error", r.error}});
    out.push_back({{"file", c.file}, {"input", c.input}, {"producer", c.producer},
                   {"version", c.version}, {"rows", rows}});
  }
  return out;
}

}  // namespace btfcheck::report
