// report.json: the aggregates behind the page and the summary (schema "btfcheck-report/1"):
// per producer totals, verify rule counts per producer, canonical differences per run,
// skipped and failed runs with reasons, the worst-first list and the history points.
#include "reports/html_parts.h"
#include "reports/report.h"
#include "reports/text.h"

namespace btfcheck::report {

nlohmann::json render_json(const Results& r, const Options& o) {
  nlohmann::json j;
  j["schema"] = "btfcheck-report/1";
  j["title"] = o.title;
  j["created"] = r.created;
  j["date"] = iso_utc(r.created);
  j["reference"] = r.reference;
  j["rules"] = r.rules;
  j["files"] = r.files;
  j["inputs"] = r.inputs.size();
  nlohmann::json prods = nlohmann::json::array();
  for (const Totals& t : totals(r)) {
    prods.push_back({{"producer", t.producer}, {"version", t.version},
                     {"runs", {{"ok", t.ok}, {"skipped", t.skipped}, {"failed", t.failed}}},
                     {"size", {{"total", t.size.total}, {"header", t.size.header},
                               {"types", t.size.types}, {"strings", t.size.strings}}},
                     {"types", t.types}, {"kinds", t.kinds},
                     {"wall_s", t.wall_s}, {"cpu_s", t.cpu_s}, {"max_rss_kb", t.max_rss_kb},
                     {"verify", {{"clean", t.verify_clean}, {"with_violations", t.verify_dirty},
                                 {"violations", t.violations}, {"rules", t.rules}}},
                     {"vs_reference", {{"equal", t.vs_equal}, {"differ", t.vs_differ},
                                       {"errors", t.vs_error}, {"changes", t.vs_changes}}}});
  }
  j["producers"] = prods;
  nlohmann::json diffs = nlohmann::json::array(), notrun = nlohmann::json::array(),
                 invalid = nlohmann::json::array();
  for (const Run& run : r.runs) {
    if (!run.ok()) {
      notrun.push_back({{"input", run.input}, {"producer", run.producer},
                        {"status", run.status}, {"reason", run.reason}});
      continue;
    }
    if (run.verify.present && !run.verify.valid)
      invalid.push_back({{"input", run.input}, {"producer", run.producer},
                         {"violations", run.verify.violations}, {"rules", run.verify.rules}});
    if (run.vs_ref.present && (!run.vs_ref.equal || !run.vs_ref.error.empty())) {
      nlohmann::json d = {{"input", run.input}, {"producer", run.producer},
                          {"changes", run.vs_ref.changes}, {"summary", run.vs_ref.summary},
                          {"first_changes", run.vs_ref.first_changes}};
      if (!run.vs_ref.error.empty()) d["error"] = run.vs_ref.error;
      diffs.push_back(std::move(d));
    }
  }
  j["verify_violations"] = invalid;
  j["vs_reference"] = diffs;
  j["not_run"] = notrun;
  nlohmann::json worst = nlohmann::json::array();
  for (const Worst& w : worst_first(r, o))
    worst.push_back({{"input", w.input}, {"producer", w.producer}, {"what", w.what}});
  j["worst_first"] = worst;
  nlohmann::json hist = nlohmann::json::array();
  for (const HistoryEntry& h : o.history) {
    nlohmann::json p = nlohmann::json::object();
    for (const auto& [name, pt] : h.producers)
      p[name] = {{"size", pt.size}, {"wall_s", pt.wall_s}, {"violations", pt.violations}};
    hist.push_back({{"commit", h.commit}, {"date", h.date}, {"producers", p}});
  }
  j["history"] = hist;
  if (!o.feature_costs.empty()) j["feature_costs"] = feature_cost_json(o.feature_costs);
  return j;
}

}  // namespace btfcheck::report
