// btfcheck gate --baseline FILE [--suppress FILE] [--size-budget PCT] [--speed-budget SPEC]
//               [--rss-budget SPEC] [--family-budget PCT] [--repro bytes|canonical]
//               [--producers LIST] [--findings FILE] [--junit OUT.xml] [--summary OUT.md]
//               [--update] results.json...
//
// Thin: read baseline, results and suppressions, run the checks (reports/gate.h), print
// GitHub annotations and a verdict on stdout, write JUnit and markdown atomically. --update
// writes a new baseline from the results instead, printing what changed.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/producer_opts.h"
#include "canon/rules.h"
#include "encoder/producers/producers.h"
#include "reports/blob_store.h"
#include "reports/gate.h"

namespace btfcheck::cli {
namespace {

const std::vector<OptionSpec>& specs() {
  static const std::vector<OptionSpec> s = {
      {"--baseline", true, "the committed baseline (btfcheck-baseline/2 or /1, or a matrix results file)", "FILE"},
      {"--suppress", true, "suppression file accepting known canonical changes (as diff --suppress)", "FILE"},
      {"--size-budget", true, "fail when a run's BTF grows more than PCT percent (default 5)", "PCT"},
      {"--speed-budget", true, "fail when a producer's wall time / the reference's exceeds RATIO; "
                               "RATIO for all, or PRODUCER=RATIO,... (default: no speed check)", "SPEC"},
      {"--rss-budget", true, "fail when a producer's largest peak RSS / the reference's exceeds RATIO "
                             "(same syntax as --speed-budget; default: no RSS check)", "SPEC"},
      {"--family-budget", true, "fail when a size family (the matrix's breakdown) grows more than PCT "
                                "percent and more than --family-min-bytes (default: no family check)", "PCT"},
      {"--family-min-bytes", true, "growth of a family below N bytes never fails (default 1024)", "N"},
      {"--repro", true, "what a serial vs -jN difference (matrix --check-repro) must be to fail: "
                        "bytes (default) or canonical", "WHAT"},
      {"--producers", true, "gate only these producers' runs (others serve as the reference); "
                            "default: every producer", "LIST"},
      {"--findings", true, "add findings of checks made elsewhere: a JSON array of {level, check, "
                           "input, producer, title, message, details}", "FILE"},
      {"--rules", true, "normalization rules for the canonical diff vs the baseline (default strict)", "LIST"},
      {"--corpus", true, "corpus directory, to name case sources in annotations (default: as matrix --corpus)", "DIR"},
      {"--junit", true, "write a JUnit XML report", "OUT.xml"},
      {"--summary", true, "write the markdown summary", "OUT.md"},
      {"--blobs", true, "the baseline's BTF store (default: beside it, <stem>.blobs/; a CI cache or artifact directory works)", "DIR"},
      {"--update", false, "rewrite the baseline from the results (printing what changed) instead of gating"},
      {"--quiet", false, "no annotations on stdout, only the verdict"},
  };
  return s;
}

int fail(const std::string& msg) {
  std::fprintf(stderr, "btfcheck gate: %s\n", msg.c_str());
  return kExitError;
}

Result<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return file_error(path, "io.read", "cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int update(const std::string& path, const std::string& blob_dir, const report::Results& now) {
  std::vector<std::string> notes;
  report::BlobStats stats;
  auto doc = report::make_baseline(now, blob_dir, &stats, &notes);
  if (!doc.ok()) return fail(doc.error().str());
  std::vector<std::string> changes;
  if (std::filesystem::exists(path)) {
    auto old = report::read_baseline(path, blob_dir);
    if (old.ok()) changes = report::baseline_changes(old->results, now);
    else std::fprintf(stderr, "btfcheck gate: old baseline unreadable (%s); replacing it\n",
                      old.error().str().c_str());
  } else {
    changes.push_back("new baseline with " + std::to_string(now.runs.size()) + " run(s)");
  }
  for (const auto& n : notes) std::fprintf(stderr, "btfcheck gate: %s\n", n.c_str());
  const std::string text = doc->dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (std::string e = write_output(path, text); !e.empty()) return fail(e);
  // Only after the new baseline is in place: blobs nothing references any more go.
  auto pruned = report::prune_blobs(blob_dir, stats.referenced);
  if (!pruned.ok()) return fail(pruned.error().str());
  for (const auto& c : changes) std::printf("%s\n", c.c_str());
  std::printf("btfcheck gate: baseline %s updated: %zu change(s), %zu run(s); blobs in %s: "
              "%zu referenced, %zu new, %zu pruned\n",
              path.c_str(), changes.size(), now.runs.size(), blob_dir.c_str(),
              stats.referenced.size(), stats.written, *pruned);
  return kExitOk;
}

}  // namespace

int cmd_gate(const Argv& argv) {
  Args args(argv, specs());
  if (auto rc = help_or_error(
          args, "gate", "--baseline FILE [--suppress FILE] [--size-budget PCT] [--speed-budget SPEC] "
                        "[--rss-budget SPEC] [--family-budget PCT] [--repro bytes|canonical] "
                        "[--producers LIST] [--findings FILE] [--junit OUT.xml] [--summary OUT.md] "
                        "[--update] results.json...",
          "Compare a matrix run with a committed baseline: canonical digest per producer x case\n"
          "(a change fails unless a suppression accepts every change of the canonical diff),\n"
          "BTF size budget, size per family budget, speed and peak RSS budgets (ratios to the\n"
          "reference producer), serial vs -jN reproducibility (matrix --check-repro), verify\n"
          "must stay clean, failed producers fail; missing and new runs are reported.\n"
          "Prints GitHub annotations (::error file=...::) and a verdict. Exit 0 pass, 1 fail,\n"
          "2 could not run. --update rewrites the baseline (BTF of every ok run included).",
          specs()))
    return *rc;
  const auto baseline = args.value("--baseline");
  if (!baseline) return fail("--baseline FILE is required");
  if (args.positional().empty()) return fail("no results file given");
  auto now = report::load_result_files(args.positional());
  if (!now.ok()) return fail(now.error().str());
  const std::string blob_dir = args.value_or("--blobs", report::default_blob_dir(*baseline));
  if (args.has("--update")) return update(*baseline, blob_dir, *now);

  report::GateOptions o;
  if (auto s = args.value("--size-budget")) {
    char* end = nullptr;
    o.size_pct = std::strtod(s->c_str(), &end);
    if (s->empty() || *end != '\0' || !(o.size_pct >= 0)) return fail("--size-budget wants a percentage >= 0");
  }
  if (auto s = args.value("--speed-budget")) {
    auto b = report::SpeedBudget::parse(*s);
    if (!b.ok()) return fail(b.error().message);
    o.speed = *b;
  }
  if (auto s = args.value("--rss-budget")) {
    auto b = report::SpeedBudget::parse(*s);
    if (!b.ok()) return fail("--rss-budget: " + b.error().message);
    o.rss = *b;
  }
  if (auto s = args.value("--family-budget")) {
    char* end = nullptr;
    const double pct = std::strtod(s->c_str(), &end);
    if (s->empty() || *end != '\0' || !(pct >= 0)) return fail("--family-budget wants a percentage >= 0");
    o.family_pct = pct;
  }
  if (auto s = args.value("--family-min-bytes")) {
    char* end = nullptr;
    o.family_min_bytes = std::strtoll(s->c_str(), &end, 10);
    if (s->empty() || *end != '\0' || o.family_min_bytes < 0) return fail("--family-min-bytes wants a number >= 0");
  }
  if (auto s = args.value("--repro")) {
    if (*s != "bytes" && *s != "canonical") return fail("--repro takes bytes or canonical, not '" + *s + "'");
    o.repro_canonical = *s == "canonical";
  }
  for (const std::string& p : split_list(args.value_or("--producers", ""))) o.producers.insert(p);
  if (auto f = args.value("--findings")) {
    auto doc = report::read_json_file(*f);
    if (!doc.ok()) return fail(doc.error().str());
    auto found = report::parse_findings(*doc, *f);
    if (!found.ok()) return fail(found.error().str());
    o.external = std::move(*found);
  }
  if (auto r = args.value("--rules")) {
    auto rules = canon::parse_rules(*r);
    if (!rules.ok()) return fail(rules.error().str());
    o.rules = *rules;
  }
  if (auto f = args.value("--suppress")) {
    auto text = slurp(*f);
    if (!text.ok()) return fail(text.error().str());
    auto sups = diff::parse_suppressions(*text, *f);
    if (!sups.ok()) return fail(sups.error().str());
    o.suppressions = std::move(*sups);
  }
  o.corpus_dir = args.value_or("--corpus", default_corpora_dir());
  if (auto cases = producers::corpus(o.corpus_dir); cases.ok())
    for (const auto& in : *cases) o.case_sources[in.name] = in.sources;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd)) o.cwd = cwd;
  auto base = report::read_baseline(*baseline, blob_dir);
  if (!base.ok()) return fail(base.error().str());

  const report::GateResult g = report::gate(*base, *now, o);
  if (auto f = args.value("--junit"))
    if (std::string e = write_output(*f, report::junit_xml(g)); !e.empty()) return fail(e);
  if (auto f = args.value("--summary"))
    if (std::string e = write_output(*f, report::gate_markdown(g, *now, *baseline)); !e.empty())
      return fail(e);
  if (!args.has("--quiet")) std::fputs(report::annotations(g).c_str(), stdout);
  std::printf("btfcheck gate: %s: %zu run(s) compared, %zu failure(s), %zu warning(s), %zu suppressed change(s)\n",
              g.pass() ? "PASS" : "FAIL", g.compared, g.count("error"), g.count("warning"),
              g.accepted.size());
  return g.pass() ? kExitOk : kExitFindings;
}

}  // namespace btfcheck::cli
