// btfcheck repro PRODUCER INPUT [-j 1,2,4,8] [--runs N]
//
// Runs the producer at each thread count, N times each, and compares the output bytes with
// the first run's. Where bytes differ, says whether the canonical graphs differ too and
// prints the canonical diff (leaf mode). Exit 0 reproducible, 1 not, 2 could not run.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

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

}  // namespace

int cmd_repro(const Argv& argv) {
  std::vector<OptionSpec> sp = {
      {"-j", true, "thread counts, comma-separated; 0 = without -j (default 1,2,4,8; producers without -j just repeat)", "LIST"},
      {"--runs", true, "runs per thread count (default 2)", "N"},
      {"--base", true, "base BTF for a module input (split BTF)", "B"},
      {"--rules", true, "normalization rules for the canonical diff of differing outputs", "LIST"},
      {"--workdir", true, "keep outputs here (default: a new directory under /tmp)", "DIR"},
      {"--quiet", false, "no progress bar"},
  };
  for (const OptionSpec& p : producer_specs()) sp.push_back(p);
  Args args(argv, sp);
  if (auto rc = help_or_error(
          args, "repro", "PRODUCER INPUT [-j 1,2,4,8] [--runs N]",
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

  Made first;
  std::string first_label;
  size_t differing = 0, total = 0;
  std::vector<std::pair<std::string, diff::Report>> graph_diffs;
  // The per-run lines are the output (stdout); on a terminal a bar shows what is running.
  Progress bar("repro " + p->name, jobs.size() * size_t(runs),
               isatty(STDERR_FILENO) && !args.has("--quiet") ? Progress::Mode::Bar
                                                             : Progress::Mode::Quiet);
  for (int j : jobs) {
    for (int r = 1; r <= runs; ++r) {
      const std::string label = (j ? "-j" + std::to_string(j) : std::string("serial")) + " #" + std::to_string(r);
      const std::string dir = work + "/j" + std::to_string(j) + ".r" + std::to_string(r);
      auto made = make_btf(*p, *in, cfg, dir, j);
      bar.clear();
      if (!made.ok()) return fail(made.error().str());
      if (!made->skipped.empty()) return fail(p->name + " does not apply: " + made->skipped);
      ++total;
      std::string verdict;
      if (!first.btf) {
        verdict = "(reference)";
      } else if (made->bytes == first.bytes) {
        verdict = "identical bytes";
      } else {
        ++differing;
        diff::Report d = canonical_diff(*first.btf, *made->btf, *rules);
        verdict = std::string("BYTES DIFFER; canonical graph ") +
                  (d.unsuppressed() ? "differs too" : "equal (order or layout only)");
        if (d.unsuppressed()) graph_diffs.push_back({label, std::move(d)});
      }
      std::printf("%-8s %s: %zu bytes, %.3f s, %ld KB peak RSS  %s\n", p->name.c_str(),
                  label.c_str(), made->bytes.size(), made->wall_s, made->peak_rss_kb,
                  verdict.c_str());
      std::fflush(stdout);
      bar.step(label);
      if (!first.btf) {
        first = std::move(*made);
        first_label = label;
      }
    }
  }
  std::printf("\n%s on %s: %zu of %zu outputs differ in bytes from %s; %zu differ canonically\n",
              p->name.c_str(), in->name.c_str(), differing, total, first_label.c_str(),
              graph_diffs.size());
  for (const auto& [label, d] : graph_diffs) {
    std::printf("\n=== canonical diff %s -> %s\n", first_label.c_str(), label.c_str());
    std::fputs(diff::render_text(d).c_str(), stdout);
  }
  std::printf("%s\n", differing ? "NOT REPRODUCIBLE" : "reproducible");
  return differing ? kExitFindings : kExitOk;
}

}  // namespace btfcheck::cli
