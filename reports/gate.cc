// The gate's checks (see gate.h for the list). Runs are keyed by (input, producer) and
// visited in sorted key order; findings are then ordered errors first (heaviest check
// first: status, verify, digest, size, speed), warnings, notices, each by key, so the output
// does not depend on the order of the result files. A changed digest is explained by the
// strict canonical diff of the baseline's BTF and the new output, with suppressions applied;
// each unsuppressed change becomes its own finding, located in the case's C source.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "btf/btf.h"
#include "btf/load.h"
#include "canon/canon.h"
#include "comparator/diff/diff.h"
#include "reports/gate.h"
#include "reports/text.h"

namespace btfcheck::report {
namespace {

namespace fs = std::filesystem;

std::string rules_text(const std::map<std::string, int64_t>& rules) {
  std::string s;
  for (const auto& [k, n] : rules) s += (s.empty() ? "" : ", ") + k + " x" + std::to_string(n);
  return s;
}

std::string display_path(const std::string& file, const GateOptions& o) {
  if (file.empty()) return "";
  const fs::path p = fs::absolute(file).lexically_normal();
  if (!o.cwd.empty()) {
    const fs::path rel = p.lexically_relative(fs::absolute(o.cwd).lexically_normal());
    if (!rel.empty() && *rel.begin() != "..") return rel.string();
  }
  const fs::path rel = p.lexically_relative(fs::absolute(o.corpus_dir).lexically_normal());
  if (!rel.empty() && *rel.begin() != "..") return "corpora/" + rel.string();
  return p.string();
}

Result<std::shared_ptr<const btf::Btf>> parse(std::vector<uint8_t> bytes, const std::string& name,
                                              std::shared_ptr<const btf::Btf> base) {
  return btf::Btf::parse(std::move(bytes), {name, "", std::move(base)});
}

struct Ctx {
  const Baseline& base;
  const Results& now;
  const GateOptions& o;
  GateResult& g;

  Finding finding(const std::string& level, const std::string& check, const Run& r,
                  const std::string& title, const std::string& message, double weight) {
    Finding f{level, check, r.input, r.producer, title, message, {}, "", 0, weight};
    auto it = o.case_sources.find(r.input);
    if (it != o.case_sources.end() && !it->second.empty()) f.file = display_path(it->second[0], o);
    return f;
  }

  void digest(const Run& a, const Run& b) {
    const std::string who = b.producer + " on " + b.input;
    auto old_bytes = run_btf(base, a);
    auto new_bytes = load_output_btf(b.output);
    auto fail = [&](const std::string& why) {
      g.findings.push_back(finding("error", "digest", b, who + ": canonical BTF changed",
                                   "canonical digest " + a.digest + " -> " + b.digest +
                                       "; no canonical diff: " + why, 600));
    };
    if (!old_bytes.ok()) return fail("baseline BTF: " + old_bytes.error().str());
    if (!new_bytes.ok()) return fail("new output: " + new_bytes.error().str());
    // Split BTF (a module): both sides on the base the new run was made on.
    std::shared_ptr<const btf::Btf> split_base;
    if (!b.base.empty()) {
      auto bb = btf::open_btf(b.base);
      if (!bb.ok()) return fail("base: " + bb.error().str());
      split_base = *bb;
    } else if (!a.base.empty()) {
      return fail("the baseline's run is split BTF on " + a.base + ", the new one is not");
    }
    auto pa = parse(std::move(*old_bytes), "baseline:" + a.producer + "/" + a.input, split_base);
    auto pb = parse(std::move(*new_bytes), b.output, split_base);
    if (!pa.ok()) return fail(pa.error().str());
    if (!pb.ok()) return fail(pb.error().str());
    canon::Options co;
    co.rules = o.rules;
    diff::Report rep = diff::diff(canon::build(**pa, co), canon::build(**pb, co), {.leaf = true});
    diff::apply_suppressions(rep, o.suppressions);
    const std::string ver = a.version != b.version ? " (" + a.version + " -> " + b.version + ")" : "";
    size_t listed = 0;
    const size_t bad = rep.unsuppressed();
    for (const diff::Change& c : rep.changes) {
      if (c.suppressed) {
        g.accepted.push_back(who + ": " + diff::change_line(c) + " [suppressed: " + c.reason + "]");
        continue;
      }
      if (listed == o.max_changes) {
        Finding f = finding("error", "digest", b, who + ": canonical BTF changed",
                            std::to_string(bad - listed) + " more change(s) not listed", 599);
        g.findings.push_back(std::move(f));
        break;
      }
      Finding f = finding("error", "digest", b, who + ": " + c.category + " " + c.path,
                          diff::change_line(c) + " (canonical diff vs baseline" + ver + ")", 600);
      if (!c.impacts.empty()) {
        std::string imp;
        for (size_t i = 0; i < c.impacts.size() && i < 5; ++i) imp += (i ? ", " : "") + c.impacts[i];
        f.details.push_back("impacts " + std::to_string(c.impacts.size()) + ": " + imp +
                            (c.impacts.size() > 5 ? ", ..." : ""));
      }
      if (auto it = o.case_sources.find(b.input); it != o.case_sources.end()) {
        auto [file, line] = locate(it->second, c.path);
        if (!file.empty()) {
          f.file = display_path(file, o);
          f.line = line;
        }
      }
      g.findings.push_back(std::move(f));
      ++listed;
    }
    if (bad == 0)
      g.findings.push_back(finding(
          "notice", "digest", b, who + ": canonical digest changed, accepted",
          "digest " + a.digest + " -> " + b.digest + ": " +
              (rep.changes.empty() ? std::string("no canonical change under the gate's rules")
                                   : std::to_string(rep.changes.size()) + " change(s), all suppressed"),
          0));
  }

  void size(const Run& a, const Run& b) {
    if (a.size.total <= 0) return;
    const double ratio = double(b.size.total) / double(a.size.total);
    if (ratio <= 1 + o.size_pct / 100) return;
    g.findings.push_back(finding(
        "error", "size", b, b.producer + " on " + b.input + ": BTF size over budget",
        "BTF " + std::to_string(a.size.total) + " -> " + std::to_string(b.size.total) + " bytes (" +
            fmt_pct(ratio) + ", budget +" + fmt(o.size_pct, 1) + "%): type section " +
            std::to_string(a.size.types) + " -> " + std::to_string(b.size.types) + ", strings " +
            std::to_string(a.size.strings) + " -> " + std::to_string(b.size.strings),
        400 + 100 * (ratio - 1)));
  }

  void verify(const Run& a, const Run& b) {
    if (!a.verify.present || !b.verify.present || b.verify.valid) return;
    const std::string who = b.producer + " on " + b.input;
    if (a.verify.valid) {
      g.findings.push_back(finding("error", "verify", b, who + ": verify no longer clean",
                                   "verified clean in the baseline, now " +
                                       std::to_string(b.verify.violations) +
                                       " violation(s): " + rules_text(b.verify.rules), 800));
      return;
    }
    for (const auto& [rule, n] : b.verify.rules) {
      auto it = a.verify.rules.find(rule);
      const int64_t before = it == a.verify.rules.end() ? 0 : it->second;
      if (n > before)
        g.findings.push_back(finding("error", "verify", b, who + ": more " + rule + " violations",
                                     "verify rule " + rule + ": " + std::to_string(before) +
                                         " -> " + std::to_string(n) + " violation(s)", 790));
    }
  }

  // Families of the matrix's size breakdown, both sides recorded. A family only one side
  // lists among its largest is not compared (its size on the other side is in the rest).
  void family(const Run& a, const Run& b) {
    if (!o.family_pct || !a.breakdown.present() || !b.breakdown.present()) return;
    for (const auto& [name, after] : b.breakdown.families) {
      auto it = a.breakdown.families.find(name);
      if (it == a.breakdown.families.end() || name == kRestFamily) continue;
      const int64_t before = it->second, grew = after - before;
      if (grew <= o.family_min_bytes || double(grew) <= double(before) * *o.family_pct / 100) continue;
      const double ratio = before > 0 ? double(after) / double(before) : 0;
      g.findings.push_back(finding(
          "error", "family", b, b.producer + " on " + b.input + ": size family " + name + " over budget",
          "size family '" + name + "': " + std::to_string(before) + " -> " + std::to_string(after) +
              " bytes (+" + std::to_string(grew) + (before > 0 ? ", " + fmt_pct(ratio) : "") +
              "; budget +" + fmt(*o.family_pct, 1) + "% and " + std::to_string(o.family_min_bytes) +
              " bytes)",
          390 + (before > 0 ? 100 * (ratio - 1) : 100)));
    }
  }

  // Serial against -jN output of the same producer, as the matrix compared them.
  void repro(const Run& b) {
    if (!b.repro.present) return;
    const std::string who = b.producer + " on " + b.input;
    const std::string j = "-j" + std::to_string(b.repro.jobs);
    if (!b.repro.error.empty()) {
      g.findings.push_back(finding("error", "repro", b, who + ": reproducibility not checked",
                                   "reproducibility (serial vs " + j + "): " + b.repro.error, 700));
      return;
    }
    if (b.repro.bytes_equal) return;
    const bool canon_differs = b.repro.canonical_checked && !b.repro.canonical_equal;
    if (o.repro_canonical && !canon_differs) return;
    Finding f = finding("error", "repro", b, who + ": not reproducible (serial vs " + j + ")",
                        "reproducibility: the " + j + " output differs from the serial (-j1) one in bytes; " +
                            (canon_differs ? "the canonical graph differs too: " +
                                                 std::to_string(b.repro.changes) + " change(s)"
                                           : std::string("the canonical graph is the same")),
                        canon_differs ? 720 : 710);
    for (const std::string& c : b.repro.first_changes) f.details.push_back(c);
    g.findings.push_back(std::move(f));
  }

  // A producer's figure summed (or maxed) over the inputs where it and the reference both
  // ran, as a ratio to the reference's, against a budget.
  void ratio(const char* check, const SpeedBudget& budgets, bool use_max) {
    const std::string& ref = now.reference;
    const Results& old = base.results;
    auto figure = [&](const Run& r) { return use_max ? double(r.peak_rss_kb) : r.wall_s; };
    auto add = [&](double& acc, double v) { acc = use_max ? std::max(acc, v) : acc + v; };
    for (const auto& pi : now.producers) {
      const auto budget = budgets.for_producer(pi.name);
      if (!budget || pi.name == ref || !gated(pi.name)) continue;
      double mine = 0, theirs = 0, mine_b = 0, theirs_b = 0;
      int n = 0;
      for (const std::string& in : now.inputs) {
        const Run* r = now.find(in, pi.name);
        const Run* rr = now.find(in, ref);
        if (!r || !rr || !r->ok() || !rr->ok()) continue;
        add(mine, figure(*r));
        add(theirs, figure(*rr));
        ++n;
        const Run* a = old.find(in, pi.name);
        const Run* ar = old.find(in, ref);
        if (a && ar && a->ok() && ar->ok()) add(mine_b, figure(*a)), add(theirs_b, figure(*ar));
      }
      const std::string what = use_max ? "peak RSS" : "wall time";
      Case c{"", pi.name, use_max ? 0 : mine, n == 0 || theirs <= 0, "", ""};
      c.name = check;
      if (c.skipped) {
        c.skip_reason = "no input where " + pi.name + " and " + ref + " both ran";
        g.cases.push_back(std::move(c));
        continue;
      }
      auto show = [&](double v) { return use_max ? fmt(v / 1024, 1) + " MiB" : fmt_seconds(v); };
      const double r = mine / theirs;
      const std::string was = theirs_b > 0 ? ", baseline " + fmt(mine_b / theirs_b, 2) : "";
      const std::string msg = what + " " + show(mine) + " vs " + ref + " " + show(theirs) +
                              (use_max ? " (largest)" : "") + " over " + std::to_string(n) +
                              " input(s): ratio " + fmt(r, 2) + " (budget " + fmt(*budget, 2) + was + ")";
      Run who;
      who.producer = pi.name;
      const std::string budget_name = use_max ? "peak RSS" : "speed";
      if (r > *budget)
        g.findings.push_back(finding("error", check, who, pi.name + ": over the " + budget_name + " budget",
                                     msg, 300 + r));
      else
        g.findings.push_back(finding("notice", check, who, pi.name + ": " + budget_name, msg, 0));
      g.cases.push_back(std::move(c));
    }
  }

  bool gated(const std::string& producer) const {
    return o.producers.empty() || o.producers.count(producer) > 0;
  }
};

}  // namespace

bool GateResult::pass() const { return count("error") == 0; }

size_t GateResult::count(const std::string& level) const {
  return size_t(std::count_if(findings.begin(), findings.end(),
                              [&](const Finding& f) { return f.level == level; }));
}

Result<SpeedBudget> SpeedBudget::parse(const std::string& spec) {
  SpeedBudget b;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    const std::string item = spec.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string num = eq == std::string::npos ? item : item.substr(eq + 1);
    char* end = nullptr;
    const double v = std::strtod(num.c_str(), &end);
    if (num.empty() || *end != '\0' || !(v > 0) || !std::isfinite(v)) {
      Error e;
      e.rule = "usage.gate";
      e.message = "--speed-budget: '" + item + "' is not RATIO or PRODUCER=RATIO (RATIO > 0)";
      return e;
    }
    if (eq == std::string::npos) b.all = v;
    else b.per_producer[item.substr(0, eq)] = v;
  }
  return b;
}

std::optional<double> SpeedBudget::for_producer(const std::string& p) const {
  if (auto it = per_producer.find(p); it != per_producer.end()) return it->second;
  return all;
}

GateResult gate(const Baseline& base, const Results& now, const GateOptions& o) {
  GateResult g;
  Ctx ctx{base, now, o, g};
  const Results& old = base.results;
  std::set<std::pair<std::string, std::string>> keys;
  for (const Run& r : old.runs)
    if (ctx.gated(r.producer)) keys.emplace(r.input, r.producer);
  for (const Run& r : now.runs)
    if (ctx.gated(r.producer)) keys.emplace(r.input, r.producer);
  for (const auto& [in, p] : keys) {
    const Run* a = old.find(in, p);
    const Run* b = now.find(in, p);
    Case c{in, p, b ? b->wall_s : 0, false, "", ""};
    const std::string who = p + " on " + in;
    if (!b) {
      g.findings.push_back(ctx.finding("warning", "missing", *a, who + ": missing",
                                       "in the baseline (" + a->status + ") but not in the results", 0));
      c.skipped = true;
      c.skip_reason = "not in the results";
    } else if (!a) {
      g.findings.push_back(ctx.finding("notice", "new", *b, who + ": new run",
                                       "not in the baseline (" + b->status + ")", 0));
      c.skipped = !b->ok();
      c.skip_reason = b->reason;
      if (b->status == "failed")
        g.findings.push_back(ctx.finding("error", "status", *b, who + ": producer failed", b->reason, 1000));
      if (b->ok()) ctx.repro(*b);
    } else if (b->status == "failed") {
      const bool before = a->status == "failed";
      g.findings.push_back(ctx.finding(before ? "warning" : "error", "status", *b,
                                       who + (before ? ": still failing" : ": producer failed"),
                                       b->reason, 1000));
    } else if (!b->ok()) {
      c.skipped = true;
      c.skip_reason = b->reason;
      if (a->ok())
        g.findings.push_back(ctx.finding("warning", "missing", *b, who + ": now skipped",
                                         "ran in the baseline, now skipped: " + b->reason, 0));
    } else if (!a->ok()) {
      g.findings.push_back(ctx.finding("notice", "new", *b, who + ": now runs",
                                       "was " + a->status + " in the baseline: " + a->reason, 0));
      ctx.repro(*b);
    } else {
      ++g.compared;
      if (a->digest != b->digest) ctx.digest(*a, *b);
      ctx.size(*a, *b);
      ctx.verify(*a, *b);
      ctx.family(*a, *b);
      ctx.repro(*b);
    }
    g.cases.push_back(std::move(c));
  }
  // Speed and peak RSS, per producer, against the reference in the same run.
  ctx.ratio("speed", o.speed, false);
  ctx.ratio("rss", o.rss, true);
  // Checks made outside the matrix: each joins its run's JUnit case (or gets its own).
  for (const Finding& f : o.external) {
    if (!ctx.gated(f.producer)) continue;
    g.findings.push_back(f);
    const bool has_case = std::any_of(g.cases.begin(), g.cases.end(), [&](const Case& c) {
      return c.input == f.input && c.producer == f.producer && c.name.empty();
    });
    if (!has_case) g.cases.push_back({f.input, f.producer, 0, false, "", f.input.empty() ? f.check : ""});
  }
  auto level_rank = [](const std::string& l) { return l == "error" ? 0 : l == "warning" ? 1 : 2; };
  std::stable_sort(g.findings.begin(), g.findings.end(), [&](const Finding& x, const Finding& y) {
    if (level_rank(x.level) != level_rank(y.level)) return level_rank(x.level) < level_rank(y.level);
    if (x.weight != y.weight) return x.weight > y.weight;
    if (x.input != y.input) return x.input < y.input;
    return x.producer < y.producer;
  });
  return g;
}

}  // namespace btfcheck::report
