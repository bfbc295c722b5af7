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

Result<std::shared_ptr<const btf::Btf>> parse(std::vector<uint8_t> bytes, const std::string& name) {
  return btf::Btf::parse(std::move(bytes), {name, "", nullptr});
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
    auto pa = parse(std::move(*old_bytes), "baseline:" + a.producer + "/" + a.input);
    auto pb = parse(std::move(*new_bytes), b.output);
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
  for (const Run& r : old.runs) keys.emplace(r.input, r.producer);
  for (const Run& r : now.runs) keys.emplace(r.input, r.producer);
  for (const auto& [in, p] : keys) {
    const Run* a = old.find(in, p);
    const Run* b = now.find(in, p);
    Case c{in, p, b ? b->wall_s : 0, false, ""};
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
    } else {
      ++g.compared;
      if (a->digest != b->digest) ctx.digest(*a, *b);
      ctx.size(*a, *b);
      ctx.verify(*a, *b);
    }
    g.cases.push_back(std::move(c));
  }
  // Speed, per producer, against the reference in the same run.
  const std::string& ref = now.reference;
  for (const auto& pi : now.producers) {
    const auto budget = o.speed.for_producer(pi.name);
    if (!budget || pi.name == ref) continue;
    double mine = 0, theirs = 0, mine_b = 0, theirs_b = 0;
    int n = 0;
    for (const std::string& in : now.inputs) {
      const Run* r = now.find(in, pi.name);
      const Run* rr = now.find(in, ref);
      if (!r || !rr || !r->ok() || !rr->ok()) continue;
      mine += r->wall_s;
      theirs += rr->wall_s;
      ++n;
      const Run* a = old.find(in, pi.name);
      const Run* ar = old.find(in, ref);
      if (a && ar && a->ok() && ar->ok()) mine_b += a->wall_s, theirs_b += ar->wall_s;
    }
    Case c{"", pi.name, mine, n == 0 || theirs <= 0, ""};
    if (c.skipped) {
      c.skip_reason = "no input where " + pi.name + " and " + ref + " both ran";
    } else {
      const double ratio = mine / theirs;
      const std::string was = theirs_b > 0 ? ", baseline " + fmt(mine_b / theirs_b, 2) : "";
      Run dummy;
      dummy.producer = pi.name;
      const std::string msg = "wall time " + fmt_seconds(mine) + " vs " + ref + " " +
                              fmt_seconds(theirs) + " over " + std::to_string(n) +
                              " input(s): ratio " + fmt(ratio, 2) + " (budget " +
                              fmt(*budget, 2) + was + ")";
      if (ratio > *budget)
        g.findings.push_back(ctx.finding("error", "speed", dummy, pi.name + ": over the speed budget",
                                         msg, 300 + ratio));
      else
        g.findings.push_back(ctx.finding("notice", "speed", dummy, pi.name + ": speed", msg, 0));
    }
    g.cases.push_back(std::move(c));
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
