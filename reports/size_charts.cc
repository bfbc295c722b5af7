// The size breakdown on the page: where each run's bytes go, by name family and by kind
// (recorded by the matrix from comparator/size), and how the largest families moved over the
// history. Families are many (a kernel has thousands); a chart shows the kShownFamilies
// largest over the whole report and one segment for the rest, so every bar still sums to the
// run's bytes.
#include <algorithm>

#include "reports/html_parts.h"
#include "reports/svg.h"
#include "reports/text.h"

namespace btfcheck::report {
namespace {

constexpr size_t kShownFamilies = 12;
constexpr size_t kTrendSeries = 8;
constexpr const char* kRestColor = "#cccccc";

std::string fmt_b(double v) { return fmt_bytes(int64_t(v)); }

// Largest first by bytes, ties by name; kRestFamily never among them.
std::vector<std::string> largest(const std::map<std::string, int64_t>& sum, size_t n) {
  std::vector<std::pair<std::string, int64_t>> v;
  for (const auto& [k, b] : sum)
    if (k != kRestFamily && b > 0) v.emplace_back(k, b);
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size() && i < n; ++i) out.push_back(v[i].first);
  return out;
}

// One stacked bar per ok run with a breakdown, grouped by input: a segment per shown line,
// then the rest of the run's bytes.
svg::BarChart stacked(const Results& r, const char* id, const char* title, bool families) {
  std::map<std::string, int64_t> sum;
  for (const Run& run : r.runs)
    if (run.ok())
      for (const auto& [k, n] : families ? run.breakdown.families : run.breakdown.kinds) sum[k] += n;
  const auto shown = largest(sum, families ? kShownFamilies : sum.size());
  svg::BarChart c;
  c.id = id;
  c.title = title;
  c.unit = "bytes";
  c.format = fmt_b;
  c.bar_height = 8;
  for (size_t i = 0; i < shown.size(); ++i) c.legend.emplace_back(shown[i], svg::kind_color(i));
  if (families) c.legend.emplace_back("other families", kRestColor);
  for (const std::string& in : r.inputs) {
    svg::Group g{in, {}};
    for (const Run& run : r.runs) {
      if (run.input != in || !run.ok() || !run.breakdown.present()) continue;
      const auto& lines = families ? run.breakdown.families : run.breakdown.kinds;
      svg::Bar b{run.producer, in, {}, ""};
      int64_t covered = 0;
      for (size_t i = 0; i < shown.size(); ++i) {
        auto it = lines.find(shown[i]);
        if (it == lines.end()) continue;
        b.segs.push_back({double(it->second), svg::kind_color(i), 1, shown[i]});
        covered += it->second;
      }
      if (run.breakdown.bytes > covered)
        b.segs.push_back({double(run.breakdown.bytes - covered), kRestColor, 1,
                          families ? "other families" : "other kinds"});
      if (families)
        b.tooltip = std::to_string(run.breakdown.family_count) + " families in all";
      g.bars.push_back(std::move(b));
    }
    if (!g.bars.empty()) c.groups.push_back(std::move(g));
  }
  return c;
}

}  // namespace

std::string size_breakdown_section(const Results& r) {
  const bool any = std::any_of(r.runs.begin(), r.runs.end(),
                               [](const Run& x) { return x.ok() && x.breakdown.present(); });
  if (!any) return "<p>No run recorded a size breakdown (matrix results older than the breakdown).</p>\n";
  return "<p>Every byte of each output charged to one name family and one kind "
         "(<code>btfcheck size</code>): the largest families of this report, the rest as one "
         "segment.</p>\n" +
         svg::render(stacked(r, "size-families", "BTF bytes by size family, per input and producer", true)) +
         svg::render(stacked(r, "size-kinds", "BTF bytes by kind, per input and producer", false));
}

std::string family_trend_chart(const Options& o) {
  // The series: the largest (producer, family) pairs of the newest entry that has families.
  const HistoryEntry* last = nullptr;
  for (const HistoryEntry& e : o.history)
    for (const auto& [p, pt] : e.producers)
      if (!pt.families.empty()) last = &e;
  if (!last) return "";
  std::map<std::string, int64_t> sum;   // "family (producer)" -> bytes
  std::map<std::string, std::pair<std::string, std::string>> key;
  for (const auto& [p, pt] : last->producers)
    for (const auto& [f, n] : pt.families) {
      if (f == kRestFamily) continue;
      const std::string label = f + " (" + p + ")";
      sum[label] = n;
      key[label] = {p, f};
    }
  svg::LineChart c;
  c.id = "trend-families";
  c.title = "Largest size families over runs";
  c.unit = "bytes";
  c.format = fmt_b;
  for (const HistoryEntry& e : o.history)
    c.xlabels.push_back(!e.commit.empty() ? e.commit.substr(0, 8) : e.date.substr(0, 10));
  const auto shown = largest(sum, kTrendSeries);
  for (size_t i = 0; i < shown.size(); ++i) {
    const auto& [p, f] = key[shown[i]];
    svg::Series s{shown[i], svg::kind_color(i), {}};
    for (const HistoryEntry& e : o.history) {
      auto pi = e.producers.find(p);
      std::optional<double> y;
      if (pi != e.producers.end())
        if (auto fi = pi->second.families.find(f); fi != pi->second.families.end()) y = double(fi->second);
      s.ys.push_back(y);
    }
    c.series.push_back(std::move(s));
  }
  return svg::render(c);
}

}  // namespace btfcheck::report
