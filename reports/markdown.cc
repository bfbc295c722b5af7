// The markdown summary (DIR/summary.md): short enough for a GitHub Actions step summary.
// A headline, totals per producer, then the worst findings first: regressions against the
// previous history entry (violations, canonical changes, size, time), failed runs, verify
// violations, canonical differences from the reference. At most kMaxWorst rows; the HTML
// page and report.json have everything.
#include <algorithm>
#include <cmath>

#include "reports/html_parts.h"
#include "reports/report.h"
#include "reports/text.h"

namespace btfcheck::report {
namespace {

constexpr size_t kMaxWorst = 12;

std::string rules_text(const std::map<std::string, int64_t>& rules) {
  std::vector<std::pair<int64_t, std::string>> v;
  for (const auto& [k, n] : rules) v.emplace_back(-n, k);
  std::sort(v.begin(), v.end());
  std::string s;
  for (size_t i = 0; i < v.size() && i < 4; ++i)
    s += (i ? ", " : "") + v[i].second + " ×" + std::to_string(-v[i].first);
  if (v.size() > 4) s += ", …";
  return s;
}

const HistoryEntry* previous(const Results& r, const Options& o) {
  for (auto it = o.history.rbegin(); it != o.history.rend(); ++it)
    if (it->created != r.created) return &*it;
  return nullptr;
}

}  // namespace

std::vector<Worst> worst_first(const Results& r, const Options& o) {
  std::vector<Worst> out;
  if (const HistoryEntry* prev = previous(r, o)) {
    const std::string since = " since " + (prev->commit.empty() ? prev->date : prev->commit.substr(0, 12));
    for (const Totals& t : totals(r)) {
      auto it = prev->producers.find(t.producer);
      if (it == prev->producers.end() || t.ok == 0) continue;
      const Point& p = it->second;
      if (t.violations > p.violations)
        out.push_back({"", t.producer, "verify violations " + std::to_string(p.violations) + " → " +
                                           std::to_string(t.violations) + since,
                       3000.0 + double(t.violations - p.violations)});
      if (t.vs_changes > p.vs_changes)
        out.push_back({"", t.producer, "canonical changes vs " + r.reference + " " +
                                           std::to_string(p.vs_changes) + " → " +
                                           std::to_string(t.vs_changes) + since,
                       2500.0 + double(t.vs_changes - p.vs_changes)});
      if (p.size > 0 && t.size.total > p.size)
        out.push_back({"", t.producer, "BTF size " + fmt_bytes(p.size) + " → " + fmt_bytes(t.size.total) +
                                           " (" + fmt_pct(double(t.size.total) / double(p.size)) + ")" + since,
                       2000.0 + 100.0 * (double(t.size.total) / double(p.size) - 1)});
      if (p.wall_s > 0 && t.wall_s > p.wall_s * 1.2)
        out.push_back({"", t.producer, "produce time " + fmt_seconds(p.wall_s) + " → " +
                                           fmt_seconds(t.wall_s) + " (" + fmt_pct(t.wall_s / p.wall_s) + ")" + since,
                       1500.0 + 100.0 * (t.wall_s / p.wall_s - 1)});
    }
  }
  for (const Run& run : r.runs) {
    if (run.status == "failed")
      out.push_back({run.input, run.producer, "failed: " + run.reason, 1000});
    if (!run.ok()) continue;
    if (run.verify.present && !run.verify.valid)
      out.push_back({run.input, run.producer,
                     std::to_string(run.verify.violations) + " verify violation(s): " +
                         rules_text(run.verify.rules),
                     500.0 + double(std::min<int64_t>(run.verify.violations, 400))});
    if (run.vs_ref.present && !run.vs_ref.error.empty())
      out.push_back({run.input, run.producer, "diff vs " + r.reference + " failed: " + run.vs_ref.error, 450});
    else if (run.vs_ref.present && !run.vs_ref.equal)
      out.push_back({run.input, run.producer,
                     std::to_string(run.vs_ref.changes) + " canonical change(s) vs " + r.reference +
                         (run.vs_ref.first_changes.empty() ? "" : ": " + run.vs_ref.first_changes[0]),
                     100.0 + double(std::min<int64_t>(run.vs_ref.changes, 300))});
  }
  std::stable_sort(out.begin(), out.end(), [](const Worst& a, const Worst& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.input != b.input) return a.input < b.input;
    return a.producer < b.producer;
  });
  return out;
}

std::string render_markdown(const Results& r, const Options& o) {
  int ok = 0, skipped = 0, failed = 0;
  for (const Run& run : r.runs) (run.ok() ? ok : run.status == "skipped" ? skipped : failed)++;
  std::string md = "## " + md_cell(o.title) + "\n\n";
  if (r.runs.empty() && !o.feature_costs.empty()) return md + feature_cost_markdown(o.feature_costs);
  md += std::to_string(r.inputs.size()) + " input(s) × " + std::to_string(totals(r).size()) +
        " producer(s): **" + std::to_string(ok) + " ok**, " + std::to_string(skipped) +
        " skipped, " + (failed ? "**" + std::to_string(failed) + " failed**" : "0 failed") +
        ". Reference: " + md_code(r.reference.empty() ? "(none)" : r.reference) +
        (r.created ? ", results of " + iso_utc(r.created) : "") + ".\n\n";
  md += "| producer | version | ok | skipped | failed | BTF bytes (types + strings) | types | "
        "produce time | max RSS | verify clean | = " + md_cell(r.reference) + " |\n";
  md += "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const Totals& t : totals(r)) {
    const int vtotal = t.verify_clean + t.verify_dirty;
    const int dtotal = t.vs_equal + t.vs_differ + t.vs_error;
    md += "| " + md_cell(t.producer) + " | " + md_cell(t.version) + " | " + std::to_string(t.ok) +
          " | " + std::to_string(t.skipped) + " | " + std::to_string(t.failed) + " | " +
          std::to_string(t.size.total) + " (" + std::to_string(t.size.types) + " + " +
          std::to_string(t.size.strings) + ") | " + std::to_string(t.types) + " | " +
          fmt_seconds(t.wall_s) + " | " + fmt(double(t.max_rss_kb) / 1024, 1) + " MiB | " +
          std::to_string(t.verify_clean) + "/" + std::to_string(vtotal) + " | " +
          (dtotal ? std::to_string(t.vs_equal) + "/" + std::to_string(dtotal) : std::string("—")) +
          " |\n";
  }
  const auto worst = worst_first(r, o);
  md += "\n### Worst first\n\n";
  if (worst.empty()) {
    md += "Nothing to report: every run verified clean and equals the reference.\n";
  } else {
    md += "| input | producer | finding |\n|---|---|---|\n";
    for (size_t i = 0; i < worst.size() && i < kMaxWorst; ++i)
      md += "| " + (worst[i].input.empty() ? std::string("(all)") : md_cell(worst[i].input)) +
            " | " + md_cell(worst[i].producer) + " | " + md_cell(worst[i].what) + " |\n";
    if (worst.size() > kMaxWorst)
      md += "\n… and " + std::to_string(worst.size() - kMaxWorst) +
            " more in index.html / report.json.\n";
  }
  return md + feature_cost_markdown(o.feature_costs);
}

}  // namespace btfcheck::report
