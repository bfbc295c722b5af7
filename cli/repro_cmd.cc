// btfcheck repro PRODUCER INPUT [-j 1,2,4,8] [--runs N] [--json] [-o OUT]
//
// Runs the producer at each thread count, N times each, and compares the output bytes with
// the first run's. Where bytes differ, says whether the canonical graphs differ too and
// prints the canonical diff (leaf mode). Text goes out line by line as runs finish (on
// stdout; with -o, into OUT at the end); --json is one object at the end. Exit 0
// reproducible, 1 not, 2 could not run.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "btf/json.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/produce_util.h"
#include "cli/progress.h"
#include "cli/producer_opts.h"
#include "canon/rules.h"

namespace btfcheck::cli {
namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "btfcheck repro: %s\n", msg.c_str());
  return kExitError;
}

// One run and how it compares with the first.
struct Row {
  std::string label;     // "-j2 #1", "serial #1"
  int jobs = 0;
  size_t bytes = 0;
  double wall_s = 0;
  long peak_rss_kb = 0;
  std::string verdict;   // reference, identical, bytes-differ, graph-differs
};

std::string row_text(const std::string& producer, const Row& r) {
  const char* v = r.verdict == "reference"   ? "(reference)"
                  : r.verdict == "identical" ? "identical bytes"
                  : r.verdict == "graph-differs"
                      ? "BYTES DIFFER; canonical graph differs too"
                      : "BYTES DIFFER; canonical graph equal (order or layout only)";
  char line[512];
  std::snprintf(line, sizeof line, "%-8s %s: %zu bytes, %.3f s, %ld KB peak RSS  %s\n",
                producer.c_str(), r.label.c_str(), r.bytes, r.wall_s, r.peak_rss_kb, v);
  return line;
}

struct Outcome {
  std::string producer, input;
  std::vector<Row> rows;
  size_t differing = 0;                                      // in bytes
  std::vector<std::pair<std::string, diff::Report>> graph_diffs;   // (run, canonical diff)
};

std::string summary_text(const Outcome& o) {
  const std::string& ref = o.rows.front().label;
  std::string s = "\n" + o.producer + " on " + o.input + ": " + std::to_string(o.differing) +
                  " of " + std::to_string(o.rows.size()) + " outputs differ in bytes from " +
                  ref + "; " + std::to_string(o.graph_diffs.size()) + " differ canonically\n";
  for (const auto& [label, d] : o.graph_diffs)
    s += "\n=== canonical diff " + ref + " -> " + label + "\n" + diff::render_text(d);
  return s + (o.differing ? "NOT REPRODUCIBLE\n" : "reproducible\n");
}

std::string outcome_json(const Outcome& o) {
  const std::string& ref = o.rows.front().label;
  std::string s = "{\"producer\":" + json_quote(o.producer) + ",\"input\":" + json_quote(o.input) +
                  ",\"reference\":" + json_quote(ref) + ",\"runs\":[";
  for (size_t i = 0; i < o.rows.size(); ++i) {
    const Row& r = o.rows[i];
    char num[160];
    std::snprintf(num, sizeof num, ",\"jobs\":%d,\"bytes\":%zu,\"wall_s\":%.4f,\"peak_rss_kb\":%ld",
                  r.jobs, r.bytes, r.wall_s, r.peak_rss_kb);
    s += std::string(i ? "," : "") + "{\"run\":" + json_quote(r.label) + num +
         ",\"verdict\":" + json_quote(r.verdict) + "}";
  }
  s += "],\"differing_bytes\":" + std::to_string(o.differing) +
       ",\"differing_graphs\":" + std::to_string(o.graph_diffs.size()) +
       ",\"reproducible\":" + (o.differing ? "false" : "true") + ",\"diffs\":[";
  for (size_t i = 0; i < o.graph_diffs.size(); ++i)
    s += std::string(i ? "," : "") + "{\"run\":" + json_quote(o.graph_diffs[i].first) +
         ",\"diff\":" + diff::render_json(o.graph_diffs[i].second, ref, o.graph_diffs[i].first) + "}";
  return s + "]}\n";
}

}  // namespace

int cmd_repro(const Argv& argv) {
  std::vector<OptionSpec> sp = {
      {"-j", true, "thread counts, comma-separated; 0 = without -j (default 1,2,4,8; producers without -j just repeat)", "LIST", "--jobs"},
      {"--runs", true, "runs per thread count (default 2)", "N"},
      base_spec("base BTF for a module input (split BTF)"),
      {"--rules", true, "normalization rules for the canonical diff of differing outputs", "LIST"},
      {"--workdir", true, "keep outputs here (default: a new directory under /tmp)", "DIR"},
      {"--quiet", false, "no progress bar"},
      json_spec("print one JSON object at the end instead of text"),
      output_spec("write the report to OUT (atomically) instead of stdout"),
  };
  for (const OptionSpec& p : producer_specs()) sp.push_back(p);
  Args args(argv, sp);
  if (auto rc = help_or_error(
          args, "repro", "PRODUCER INPUT [-j 1,2,4,8] [--runs N] [--json] [-o OUT]",
          "Check that a producer is reproducible: run it at each thread count, several times,\n"
          "and compare the output bytes. When bytes differ, say whether the canonical graphs\n"
          "differ too, and how. INPUT: a corpus case, a C file or an ELF (vmlinux, module).\n"
          "Exit 0 reproducible, 1 not reproducible, 2 could not run.",
          sp))
    return *rc;
  if (args.positional().size() != 2) return fail("expected PRODUCER INPUT (see --help)");
  const producers::Config cfg = producer_config(args);
  auto p = producers::lookup(producers::detect(cfg), args.positional()[0]);
  if (!p.ok()) return fail(p.error().str());
  if (!p->missing.empty()) return fail(p->name + ": " + p->missing);
  auto in = producers::resolve_input(args.positional()[1], corpora_dir(args),
                                     args.value_or("--base", ""));
  if (!in.ok()) return fail(in.error().str());
  auto rules = canon::parse_rules(args.value_or("--rules", ""));
  if (!rules.ok()) return fail(rules.error().str());
  std::vector<int> jobs;
  for (const std::string& j : split_list(args.value_or("-j", "1,2,4,8"))) {
    const int n = j == "0" ? 0 : std::atoi(j.c_str());
    if (n < 1 && j != "0") return fail("-j wants thread counts (0: no -j flag), got '" + j + "'");
    jobs.push_back(n);
  }
  if (!p->takes_jobs) jobs = {0};
  const int runs = std::atoi(args.value_or("--runs", "2").c_str());
  if (runs < 1) return fail("--runs wants a positive number");
  std::string work = args.value_or("--workdir", "");
  if (work.empty() && (work = make_workdir("repro")).empty()) return fail("cannot create a work directory");

  // Text goes out a line per run as runs finish (a vmlinux run takes seconds), unless it
  // is going to a file or is JSON; on a terminal a bar shows what is running.
  const bool stream = !args.has("--json") && !args.value("-o");
  Outcome o{p->name, in->name, {}, 0, {}};
  Made first;
  Progress bar("repro " + p->name, jobs.size() * size_t(runs),
               isatty(STDERR_FILENO) && !args.has("--quiet") ? Progress::Mode::Bar
                                                             : Progress::Mode::Quiet);
  for (int j : jobs) {
    for (int r = 1; r <= runs; ++r) {
      Row row;
      row.label = (j ? "-j" + std::to_string(j) : std::string("serial")) + " #" + std::to_string(r);
      row.jobs = j;
      const std::string dir = work + "/j" + std::to_string(j) + ".r" + std::to_string(r);
      auto made = make_btf(*p, *in, cfg, dir, j);
      bar.clear();
      if (!made.ok()) return fail(made.error().str());
      if (!made->skipped.empty()) return fail(p->name + " does not apply: " + made->skipped);
      row.bytes = made->bytes.size();
      row.wall_s = made->wall_s;
      row.peak_rss_kb = made->peak_rss_kb;
      if (!first.btf) {
        row.verdict = "reference";
      } else if (made->bytes == first.bytes) {
        row.verdict = "identical";
      } else {
        ++o.differing;
        diff::Report d = canonical_diff(*first.btf, *made->btf, *rules);
        row.verdict = d.unsuppressed() ? "graph-differs" : "bytes-differ";
        if (d.unsuppressed()) o.graph_diffs.push_back({row.label, std::move(d)});
      }
      if (stream) {
        std::fputs(row_text(p->name, row).c_str(), stdout);
        std::fflush(stdout);
      }
      bar.step(row.label);
      if (!first.btf) first = std::move(*made);
      o.rows.push_back(std::move(row));
    }
  }
  std::string out;
  if (args.has("--json")) {
    out = outcome_json(o);
  } else {
    if (!stream)
      for (const Row& row : o.rows) out += row_text(p->name, row);
    out += summary_text(o);
  }
  if (int rc = emit_output(args, "repro", out); rc != kExitOk) return rc;
  return o.differing ? kExitFindings : kExitOk;
}

}  // namespace btfcheck::cli
