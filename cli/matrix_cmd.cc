// btfcheck matrix [--list] [--producers LIST] [--cases LIST] [--shard i/N] [-o results.json]
// btfcheck matrix --merge A.json B.json ... -o results.json
//
// Thin: options -> matrix::Options, run, write the JSON atomically. The schema is in README.
#include <cstdio>
#include <memory>
#include <fstream>
#include <sstream>

#include "matrix/matrix.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/producer_opts.h"
#include "canon/rules.h"

namespace btfcheck::cli {
namespace {

std::vector<OptionSpec> specs() {
  std::vector<OptionSpec> s = {
      {"--list", false, "list the producers with their detected versions and exit"},
      json_spec("with --list: as JSON (a matrix run's results are always JSON)"),
      {"--producers", true, "producers to run, comma-separated (default: every available one)", "LIST"},
      {"--cases", true, "corpus case names, C files or ELF paths, comma-separated (default: the corpus)", "LIST"},
      base_spec("base BTF for ELF inputs that are modules (split BTF)"),
      {"--reference", true, "producer every output is diffed against (default pahole)", "P"},
      {"--rules", true, "canonical-diff rules for those diffs (default cross-producer)", "LIST"},
      {"--shard", true, "run share i of N (inputs i, i+N, ...), for CI job matrices", "i/N"},
      jobs_spec("pass -jN to producers that take it (pahole, btfcheck); 0 (default): no -j"),
      {"--workdir", true, "keep outputs here (default: a new directory under /tmp)", "DIR"},
      {"--define", true, "extra producers NAME=FAMILY:PATH, comma-separated (FAMILY pahole or btfcheck: "
                         "e.g. a pahole release beside the pahole under test)", "LIST"},
      {"--check-repro", true, "also run these producers serially (-j1) and compare with their -jN "
                              "output: bytes, and the canonical graph when bytes differ (needs -j N, N >= 2)", "LIST"},
      {"--cache", true, "reuse and keep encodings of ELF inputs here, keyed by recipe, tool and input "
                        "(runs served from it say \"cached\")", "DIR"},
      {"--quiet", false, "no progress output"},
      {"--merge", false, "join the shard result files given as arguments"},
      output_spec("write the results JSON to OUT atomically (default stdout)"),
  };
  for (const OptionSpec& p : producer_specs()) s.push_back(p);
  return s;
}

int fail(const std::string& msg) {
  std::fprintf(stderr, "btfcheck matrix: %s\n", msg.c_str());
  return kExitError;
}

int emit(const Args& args, const nlohmann::json& doc) {
  return emit_output(args, "matrix", doc.dump(1) + "\n");
}

}  // namespace

int cmd_matrix(const Argv& argv) {
  const auto sp = specs();
  Args args(argv, sp);
  if (auto rc = help_or_error(
          args, "matrix", "[--list [--json]] [--producers LIST] [--cases LIST] [--define LIST] [--check-repro LIST] "
                    "[--cache DIR] [--shard i/N] [-j N] [-o OUT]",
          "Run every producer on every input (the corpus by default): verify each output,\n"
          "measure wall/CPU time, peak RSS and sizes, count types per kind, digest it and diff\n"
          "it canonically against the reference producer. Exit 0 when every run worked or\n"
          "was a clean skip, 1 when a producer failed, 2 when the matrix could not run.",
          sp))
    return *rc;
  const producers::Config cfg = producer_config(args);
  if (args.has("--list")) {
    const auto all = producers::detect(cfg);
    return emit_output(args, "matrix", args.has("--json") ? matrix::producers_json(all).dump(1) + "\n"
                                                          : matrix::producers_table(all));
  }
  if (args.has("--merge")) {
    std::vector<nlohmann::json> docs;
    for (const std::string& f : args.positional()) {
      std::ifstream in(f);
      std::stringstream ss;
      ss << in.rdbuf();
      auto j = nlohmann::json::parse(ss.str(), nullptr, false);
      if (!in || j.is_discarded() || !j.is_object() || !j.contains("runs"))
        return fail(f + ": not a matrix results file");
      docs.push_back(std::move(j));
    }
    auto merged = matrix::merge(docs);
    if (!merged.ok()) return fail(merged.error().str());
    return emit(args, *merged);
  }
  if (!args.positional().empty()) return fail("unexpected argument " + args.positional()[0]);
  matrix::Options o;
  o.config = cfg;
  o.corpora = corpora_dir(args);
  o.producers = split_list(args.value_or("--producers", ""));
  o.inputs = split_list(args.value_or("--cases", ""));
  o.base = args.value_or("--base", "");
  o.reference = args.value_or("--reference", "pahole");
  for (const std::string& d : split_list(args.value_or("--define", ""))) {
    auto p = matrix::define_producer(d);
    if (!p.ok()) return fail(p.error().str());
    o.defined.push_back(*p);
  }
  o.check_repro = split_list(args.value_or("--check-repro", ""));
  o.cache = args.value_or("--cache", "");
  auto rules = canon::parse_rules(args.value_or("--rules", "cross-producer"));
  if (!rules.ok()) return fail(rules.error().str());
  o.rules = *rules;
  if (auto s = args.value("--shard")) {
    if (std::sscanf(s->c_str(), "%d/%d", &o.shard, &o.shards) != 2) return fail("--shard wants i/N");
  }
  const auto jobs = jobs_option(args, "matrix");
  if (!jobs) return kExitError;
  o.jobs = int(*jobs);
  o.workdir = args.value_or("--workdir", "");
  if (o.workdir.empty() && (o.workdir = make_workdir("matrix")).empty())
    return fail("cannot create a work directory");
  std::fprintf(stderr, "btfcheck matrix: outputs in %s\n", o.workdir.c_str());
  std::unique_ptr<Progress> bar;
  auto doc = matrix::run(o, [&](size_t total, const std::string& line, bool failed) {
    if (!bar) bar = std::make_unique<Progress>("matrix", total, args.has("--quiet"));
    else {
      if (failed && bar->mode() == Progress::Mode::Bar) bar->note("failed: " + line);
      bar->step(line);
    }
  });
  bar.reset();
  if (!doc.ok()) return fail(doc.error().str());
  bool failed = false;
  for (const auto& r : (*doc)["runs"]) failed |= r["status"] == "failed";
  if (int rc = emit(args, *doc); rc != kExitOk) return rc;
  return failed ? kExitFindings : kExitOk;
}

}  // namespace btfcheck::cli
