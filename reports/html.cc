// The HTML page (DIR/index.html): one self-contained document, inline CSS and SVG, no
// script and no external resource (nothing to fetch, works from a CI artifact or file://).
// Sections: inputs and producers; totals per producer; charts per producer (BTF size
// stacked type/string section, produce time, peak RSS, types per kind); charts per case
// (size, time, RSS: one bar per ok run); the size breakdown by family and kind
// (size_charts.cc); verify results (violations by rule); canonical differences from the
// reference; skipped and failed runs with reasons; trends from the history; feature-cost
// experiments when given (feature_cost.cc). A page of feature costs alone has only that
// section. Every string from the input is escaped (text.h).
#include <algorithm>

#include "reports/html_parts.h"
#include "reports/report.h"
#include "reports/svg.h"
#include "reports/text.h"

namespace btfcheck::report {
namespace {

constexpr const char* kCss = R"(body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}tr:nth-child(even){background:#f7f7f7}.bad{color:#b00020;font-weight:600}.good{color:#176f2c}
.eq{background:#e3f4e6}.ne{background:#fde9c9}.err{background:#f9d0d0}.skip{color:#777}
figure.chart{margin:12px 0}svg text{font:11px sans-serif;fill:#333}svg text.title{font-size:13px;font-weight:600}
svg text.series{font-size:8px;fill:#555}svg .grid{stroke:#e4e4e4}code{font-size:12px}nav a{margin-right:12px}
details{margin:2px 0}summary{cursor:pointer}.meta{color:#555})";

const char* const kKindOrder[] = {"INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD",
                                  "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC",
                                  "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG",
                                  "TYPE_TAG", "ENUM64"};

std::string fmt_b(double v) { return fmt_bytes(int64_t(v)); }
std::string fmt_s(double v) { return fmt(v, v < 1 ? 3 : 2); }
std::string fmt_mib(double v) { return fmt(v, 1); }
std::string fmt_n(double v) { return fmt(v, 0); }

svg::BarChart bar_chart(std::string id, std::string title, std::string unit) {
  svg::BarChart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.unit = std::move(unit);
  return c;
}

svg::LineChart line_chart(std::string id, std::string title, std::string unit) {
  svg::LineChart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.unit = std::move(unit);
  return c;
}

std::string td(const std::string& s, const std::string& cls = "") {
  return "<td" + (cls.empty() ? "" : " class=\"" + cls + "\"") + ">" + s + "</td>";
}
std::string tdn(int64_t v) { return td(std::to_string(v), "n"); }

std::vector<std::string> kind_order(const Results& r) {
  std::vector<std::string> seen;
  for (const Run& run : r.runs)
    for (const auto& [k, n] : run.kinds) seen.push_back(k);
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  std::vector<std::string> out;
  for (const char* k : kKindOrder)
    if (std::binary_search(seen.begin(), seen.end(), std::string(k))) out.push_back(k);
  for (const std::string& k : seen)
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  return out;
}

std::vector<svg::Segment> size_segs(const Sizes& s, const std::string& color) {
  return {{double(s.types), color, 1, "type section"},
          {double(s.strings), color, 0.45, "string section"},
          {double(s.header), "#999999", 1, "header"}};
}

const std::vector<std::pair<std::string, std::string>> kSizeLegend = {
    {"type section (solid)", "#555555"}, {"string section (light)", "#bbbbbb"}, {"header", "#999999"}};

std::string producer_charts(const Results& r, const std::vector<Totals>& tots) {
  svg::BarChart size = bar_chart("size-by-producer", "BTF size per producer (sum over ok runs)", "bytes");
  svg::BarChart time = bar_chart("time-by-producer", "Produce time per producer (sum of wall time)", "seconds");
  svg::BarChart rss = bar_chart("rss-by-producer", "Peak RSS per producer (max over runs)", "MiB");
  svg::BarChart kinds = bar_chart("kinds-by-producer", "Types per kind per producer (sum over ok runs)", "types");
  size.format = fmt_b;
  time.format = fmt_s;
  rss.format = fmt_mib;
  kinds.format = fmt_n;
  size.legend = kSizeLegend;
  const auto korder = kind_order(r);
  for (size_t i = 0; i < korder.size(); ++i) kinds.legend.emplace_back(korder[i], svg::kind_color(i));
  for (auto* c : {&size, &time, &rss, &kinds}) c->value_labels = true;
  for (const Totals& t : tots) {
    if (t.ok == 0) continue;
    const std::string& col = svg::producer_color(r.producer_index(t.producer));
    size.groups.push_back({t.producer, {{t.producer, t.producer, size_segs(t.size, col), ""}}});
    time.groups.push_back({t.producer, {{t.producer, t.producer, {{t.wall_s, col, 1, "wall"}},
                                         "CPU " + fmt_seconds(t.cpu_s)}}});
    rss.groups.push_back({t.producer, {{t.producer, t.producer,
                                        {{double(t.max_rss_kb) / 1024, col, 1, "peak RSS"}}, ""}}});
    svg::Bar kb{t.producer, t.producer, {}, ""};
    for (size_t i = 0; i < korder.size(); ++i) {
      auto it = t.kinds.find(korder[i]);
      if (it != t.kinds.end()) kb.segs.push_back({double(it->second), svg::kind_color(i), 1, korder[i]});
    }
    kinds.groups.push_back({t.producer, {kb}});
  }
  return svg::render(size) + svg::render(time) + svg::render(rss) + svg::render(kinds);
}

std::string case_charts(const Results& r) {
  svg::BarChart size = bar_chart("size-by-case", "BTF size per case and producer", "bytes");
  svg::BarChart time = bar_chart("time-by-case", "Produce time per case and producer (wall)", "seconds");
  svg::BarChart rss = bar_chart("rss-by-case", "Peak RSS per case and producer", "MiB");
  size.format = fmt_b;
  time.format = fmt_s;
  rss.format = fmt_mib;
  size.legend = kSizeLegend;
  for (const auto& p : r.producers)
    for (auto* c : {&size, &time, &rss})
      if (c != &size) c->legend.emplace_back(p.name, svg::producer_color(r.producer_index(p.name)));
  for (auto* c : {&size, &time, &rss}) c->bar_height = 6;
  for (const std::string& in : r.inputs) {
    svg::Group gs{in, {}}, gt{in, {}}, gr{in, {}};
    for (const Run& run : r.runs) {
      if (run.input != in || !run.ok()) continue;
      const std::string& col = svg::producer_color(r.producer_index(run.producer));
      gs.bars.push_back({run.producer, in, size_segs(run.size, col),
                         std::to_string(run.types) + " types"});
      gt.bars.push_back({run.producer, in, {{run.wall_s, col, 1, "wall"}},
                         "CPU " + fmt_seconds(run.cpu_s) + ", prepare " + fmt_seconds(run.prepare_s)});
      gr.bars.push_back({run.producer, in, {{double(run.peak_rss_kb) / 1024, col, 1, "peak RSS"}}, ""});
    }
    if (gs.bars.empty()) continue;
    size.groups.push_back(std::move(gs));
    time.groups.push_back(std::move(gt));
    rss.groups.push_back(std::move(gr));
  }
  return svg::render(size) + svg::render(time) + svg::render(rss);
}

std::string totals_table(const Results& r, const std::vector<Totals>& tots) {
  std::string h = "<table id=\"totals\"><tr><th>producer</th><th>version</th><th class=n>ok</th>"
                  "<th class=n>skipped</th><th class=n>failed</th><th class=n>BTF bytes</th>"
                  "<th class=n>type section</th><th class=n>string section</th><th class=n>types</th>"
                  "<th class=n>produce wall</th><th class=n>CPU</th><th class=n>max RSS</th>"
                  "<th class=n>verify clean</th><th class=n>violations</th><th class=n>= " +
                  html_escape(r.reference) + "</th><th class=n>changes</th></tr>\n";
  for (const Totals& t : tots) {
    h += "<tr>" + td(html_escape(t.producer)) + td(html_escape(t.version)) + tdn(t.ok) +
         tdn(t.skipped) + td(std::to_string(t.failed), t.failed ? "n bad" : "n") + tdn(t.size.total) +
         tdn(t.size.types) + tdn(t.size.strings) + tdn(t.types) + td(fmt_seconds(t.wall_s), "n") +
         td(fmt_seconds(t.cpu_s), "n") + td(fmt(double(t.max_rss_kb) / 1024, 1) + " MiB", "n") +
         td(std::to_string(t.verify_clean) + "/" + std::to_string(t.verify_clean + t.verify_dirty), "n") +
         td(std::to_string(t.violations), t.violations ? "n bad" : "n") +
         td(std::to_string(t.vs_equal) + "/" + std::to_string(t.vs_equal + t.vs_differ + t.vs_error), "n") +
         tdn(t.vs_changes) + "</tr>\n";
  }
  return h + "</table>\n";
}

std::string kinds_table(const Results& r, const std::vector<Totals>& tots) {
  const auto korder = kind_order(r);
  std::string h = "<table id=\"kinds\"><tr><th>producer</th>";
  for (const auto& k : korder) h += "<th class=n>" + html_escape(k) + "</th>";
  h += "</tr>\n";
  for (const Totals& t : tots) {
    if (t.ok == 0) continue;
    h += "<tr>" + td(html_escape(t.producer));
    for (const auto& k : korder) {
      auto it = t.kinds.find(k);
      h += tdn(it == t.kinds.end() ? 0 : it->second);
    }
    h += "</tr>\n";
  }
  return h + "</table>\n";
}

std::string verify_section(const Results& r, const std::vector<Totals>& tots) {
  std::vector<std::string> rules;
  for (const Totals& t : tots)
    for (const auto& [k, n] : t.rules) rules.push_back(k);
  std::sort(rules.begin(), rules.end());
  rules.erase(std::unique(rules.begin(), rules.end()), rules.end());
  std::string h = "<table id=\"verify\"><tr><th>producer</th><th class=n>clean</th>"
                  "<th class=n>with violations</th>";
  for (const auto& k : rules) h += "<th class=n><code>" + html_escape(k) + "</code></th>";
  h += "</tr>\n";
  for (const Totals& t : tots) {
    if (t.ok == 0) continue;
    h += "<tr>" + td(html_escape(t.producer)) + tdn(t.verify_clean) +
         td(std::to_string(t.verify_dirty), t.verify_dirty ? "n bad" : "n");
    for (const auto& k : rules) {
      auto it = t.rules.find(k);
      h += tdn(it == t.rules.end() ? 0 : it->second);
    }
    h += "</tr>\n";
  }
  h += "</table>\n<table id=\"verify-runs\"><tr><th>input</th><th>producer</th>"
       "<th class=n>violations</th><th>by rule</th></tr>\n";
  int n = 0;
  for (const Run& run : r.runs) {
    if (!run.ok() || !run.verify.present || run.verify.valid) continue;
    std::string by;
    for (const auto& [k, c] : run.verify.rules)
      by += (by.empty() ? "" : ", ") + ("<code>" + html_escape(k) + "</code> ×" + std::to_string(c));
    h += "<tr>" + td(html_escape(run.input)) + td(html_escape(run.producer)) +
         tdn(run.verify.violations) + td(by) + "</tr>\n";
    ++n;
  }
  if (n == 0) h += "<tr><td colspan=4 class=good>every output verified clean</td></tr>\n";
  return h + "</table>\n";
}

std::string diff_section(const Results& r, const std::vector<Totals>& tots) {
  std::string h = "<table id=\"vs-reference\"><tr><th>input</th>";
  for (const Totals& t : tots) h += "<th>" + html_escape(t.producer) + "</th>";
  h += "</tr>\n";
  std::string details;
  for (const std::string& in : r.inputs) {
    h += "<tr>" + td(html_escape(in));
    for (const Totals& t : tots) {
      const Run* run = r.find(in, t.producer);
      if (!run) h += td("");
      else if (!run->ok()) h += td(html_escape(run->status), "skip");
      else if (!run->vs_ref.present) h += td(t.producer == r.reference ? "reference" : "—", "skip");
      else if (!run->vs_ref.error.empty()) h += "<td class=\"err\" title=\"" + html_escape(run->vs_ref.error) + "\">error</td>";
      else if (run->vs_ref.equal) h += td("=", "eq");
      else {
        std::string tip;
        for (const auto& c : run->vs_ref.first_changes) tip += c + "\n";
        h += "<td class=\"ne n\" title=\"" + html_escape(tip) + "\">" +
             std::to_string(run->vs_ref.changes) + "</td>";
      }
      if (run && run->ok() && run->vs_ref.present && (!run->vs_ref.equal || !run->vs_ref.error.empty())) {
        details += "<details><summary>" + html_escape(in) + " · " + html_escape(run->producer) + ": ";
        if (!run->vs_ref.error.empty()) {
          details += "diff failed</summary><pre>" + html_escape(run->vs_ref.error) + "</pre></details>\n";
          continue;
        }
        std::string sum;
        for (const auto& [k, c] : run->vs_ref.summary) sum += (sum.empty() ? "" : ", ") + k + " " + std::to_string(c);
        details += std::to_string(run->vs_ref.changes) + " change(s) (" + html_escape(sum) + ")</summary><pre>";
        for (const auto& c : run->vs_ref.first_changes) details += html_escape(c) + "\n";
        if (int64_t(run->vs_ref.first_changes.size()) < run->vs_ref.changes) details += "…\n";
        details += "</pre></details>\n";
      }
    }
    h += "</tr>\n";
  }
  return h + "</table>\n" + details;
}

std::string notrun_section(const Results& r) {
  std::string h = "<table id=\"not-run\"><tr><th>input</th><th>producer</th><th>status</th><th>reason</th></tr>\n";
  int n = 0;
  for (const Run& run : r.runs) {
    if (run.ok()) continue;
    h += "<tr>" + td(html_escape(run.input)) + td(html_escape(run.producer)) +
         td(html_escape(run.status), run.status == "failed" ? "bad" : "skip") +
         td(html_escape(run.reason)) + "</tr>\n";
    ++n;
  }
  if (n == 0) h += "<tr><td colspan=4 class=good>every producer ran on every input</td></tr>\n";
  return h + "</table>\n";
}

// Runs the matrix also ran serially (--check-repro): the -jN output against the -j1 one.
std::string repro_section(const Results& r) {
  std::string rows;
  for (const Run& run : r.runs) {
    if (!run.ok() || !run.repro.present) continue;
    std::string verdict, cls = "bad";
    if (!run.repro.error.empty()) verdict = "not checked: " + run.repro.error;
    else if (run.repro.bytes_equal) verdict = "same bytes", cls = "good";
    else if (run.repro.canonical_checked && run.repro.canonical_equal) verdict = "bytes differ; same canonical graph";
    else verdict = "bytes differ; canonical graph differs: " + std::to_string(run.repro.changes) + " change(s)";
    rows += "<tr>" + td(html_escape(run.input)) + td(html_escape(run.producer)) +
            td("-j" + std::to_string(run.repro.jobs) + " vs -j1") +
            td(fmt_seconds(run.wall_s) + " / " + fmt_seconds(run.repro.serial_wall_s), "n") +
            td(html_escape(verdict), cls) + "</tr>\n";
  }
  if (rows.empty()) return "";
  return "<h2 id=\"repro-h\">Reproducibility</h2>\n<table id=\"repro\"><tr><th>input</th><th>producer</th>"
         "<th>compared</th><th class=n>wall (-jN / -j1)</th><th>result</th></tr>\n" + rows + "</table>\n";
}

std::string trend_section(const Results& r, const Options& o) {
  if (o.history.empty()) return "<p>No history given (<code>--history FILE</code>).</p>\n";
  svg::LineChart size = line_chart("trend-size", "BTF size per producer over runs (sum over ok runs)", "bytes");
  svg::LineChart time = line_chart("trend-time", "Produce time per producer over runs (sum of wall time)", "seconds");
  size.format = fmt_b;
  time.format = fmt_s;
  for (const HistoryEntry& e : o.history) {
    const std::string label = !e.commit.empty() ? e.commit.substr(0, 8) : e.date.substr(0, 10);
    size.xlabels.push_back(label);
    time.xlabels.push_back(label);
  }
  std::vector<std::string> names;
  for (const auto& p : r.producers) names.push_back(p.name);
  std::vector<std::string> extra;
  for (const HistoryEntry& e : o.history)
    for (const auto& [n, pt] : e.producers)
      if (std::find(names.begin(), names.end(), n) == names.end()) extra.push_back(n);
  std::sort(extra.begin(), extra.end());
  extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
  names.insert(names.end(), extra.begin(), extra.end());
  for (size_t i = 0; i < names.size(); ++i) {
    svg::Series ss{names[i], svg::producer_color(i), {}}, st{names[i], svg::producer_color(i), {}};
    bool any = false;
    for (const HistoryEntry& e : o.history) {
      auto it = e.producers.find(names[i]);
      if (it == e.producers.end() || it->second.ok == 0) {
        ss.ys.push_back(std::nullopt);
        st.ys.push_back(std::nullopt);
        continue;
      }
      any = true;
      ss.ys.push_back(double(it->second.size));
      st.ys.push_back(it->second.wall_s);
    }
    if (!any) continue;
    size.series.push_back(std::move(ss));
    time.series.push_back(std::move(st));
  }
  return svg::render(size) + svg::render(time) + family_trend_chart(o);
}

}  // namespace

std::string render_html(const Results& r, const Options& o) {
  const auto tots = totals(r);
  int ok = 0, skipped = 0, failed = 0;
  for (const Run& run : r.runs) (run.ok() ? ok : run.status == "skipped" ? skipped : failed)++;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width\">"
                  "<title>" + html_escape(o.title) + "</title><style>" + kCss +
                  "</style></head>\n<body>\n<h1>" + html_escape(o.title) + "</h1>\n";
  std::string files;
  for (const auto& f : r.files) files += (files.empty() ? "" : ", ") + ("<code>" + html_escape(f) + "</code>");
  std::string rules;
  for (const auto& x : r.rules) rules += (rules.empty() ? "" : ", ") + x;
  if (r.runs.empty() && !o.feature_costs.empty())
    return h + "<h2 id=\"feature-cost-h\">Feature cost</h2>\n" + feature_cost_section(o.feature_costs) +
           "</body></html>\n";
  h += "<p class=\"meta\">Results " + files + (r.created ? " of " + html_escape(iso_utc(r.created)) : "") +
       ". " + std::to_string(r.inputs.size()) + " input(s), " + std::to_string(tots.size()) +
       " producer(s): <b>" + std::to_string(ok) + " ok</b>, " + std::to_string(skipped) +
       " skipped, <span" + (failed ? " class=\"bad\"" : "") + ">" + std::to_string(failed) +
       " failed</span>. Canonical diffs against <code>" + html_escape(r.reference) +
       "</code> with rules <code>" + html_escape(rules.empty() ? "(strict)" : rules) + "</code>.</p>\n";
  h += "<nav><a href=\"#totals-h\">totals</a><a href=\"#charts-h\">per producer</a>"
       "<a href=\"#cases-h\">per case</a><a href=\"#verify-h\">verify</a>"
       "<a href=\"#diff-h\">vs reference</a><a href=\"#notrun-h\">skipped/failed</a>"
       "<a href=\"#breakdown-h\">size breakdown</a><a href=\"#trend-h\">trends</a>" +
       std::string(o.feature_costs.empty() ? "" : "<a href=\"#feature-cost-h\">feature cost</a>") +
       "</nav>\n";
  h += "<h2 id=\"producers-h\">Producers</h2>\n<table id=\"producers\"><tr><th>producer</th>"
       "<th>family</th><th>version</th><th>available</th></tr>\n";
  for (const auto& p : r.producers)
    h += "<tr>" + td(html_escape(p.name)) + td(html_escape(p.family)) + td(html_escape(p.version)) +
         (p.available ? td("yes", "good") : td("no: " + html_escape(p.missing), "skip")) + "</tr>\n";
  h += "</table>\n<h2 id=\"totals-h\">Totals per producer</h2>\n" + totals_table(r, tots);
  h += "<h2 id=\"worst-h\">Worst first</h2>\n<ol id=\"worst\">\n";
  const auto worst = worst_first(r, o);
  for (size_t i = 0; i < worst.size() && i < 25; ++i)
    h += "<li>" + (worst[i].input.empty() ? std::string() : html_escape(worst[i].input) + " · ") +
         html_escape(worst[i].producer) + ": " + html_escape(worst[i].what) + "</li>\n";
  if (worst.size() > 25) h += "<li>… " + std::to_string(worst.size() - 25) + " more in report.json</li>\n";
  h += "</ol>\n<h2 id=\"charts-h\">Per producer</h2>\n" + producer_charts(r, tots);
  h += "<h3>Types per kind</h3>\n" + kinds_table(r, tots);
  h += "<h2 id=\"cases-h\">Per case</h2>\n" + case_charts(r);
  h += "<h2 id=\"breakdown-h\">Size breakdown</h2>\n" + size_breakdown_section(r);
  h += "<h2 id=\"verify-h\">Verify results</h2>\n" + verify_section(r, tots);
  h += "<h2 id=\"diff-h\">Canonical differences from " + html_escape(r.reference) + "</h2>\n" +
       diff_section(r, tots);
  h += repro_section(r);
  h += "<h2 id=\"notrun-h\">Skipped and failed runs</h2>\n" + notrun_section(r);
  h += "<h2 id=\"trend-h\">Trends</h2>\n" + trend_section(r, o);
  if (!o.feature_costs.empty())
    h += "<h2 id=\"feature-cost-h\">Feature cost</h2>\n" + feature_cost_section(o.feature_costs);
  return h + "</body></html>\n";
}

}  // namespace btfcheck::report
