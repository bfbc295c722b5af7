// btfcheck diff A B: structural diff of two BTFs through their canonical graphs. A and B must
// be for the same target (pointer size and byte order, btf/target.h) unless
// --allow-target-mismatch says to compare them anyway; the JSON report records both targets.
#include <algorithm>
#include <cstdio>
#include <thread>

#include "btf/load.h"
#include "btf/target.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "canon/canon.h"
#include "canon/rules.h"
#include "comparator/diff/diff.h"
#include "comparator/diff/suppress.h"

namespace btfcheck::cli {
namespace {

std::string rules_help() {
  std::string s = "\nnormalization rules (--rules a,b or a preset; default strict: none):\n";
  for (const canon::RuleInfo& r : canon::all_rules()) {
    std::string name = "  " + std::string(r.name);
    name.resize(std::max<size_t>(name.size() + 1, 24), ' ');
    s += name + r.rationale + "\n";
  }
  return s;
}

}  // namespace

int cmd_diff(const Argv& argv) {
  const std::vector<OptionSpec> specs = {
      base_spec("base BTF for both inputs (split BTF; default for /sys/kernel/btf/MODULE: "
                "/sys/kernel/btf/vmlinux)"),
      {"--base-a", true, "base BTF for A only", "B"},
      {"--base-b", true, "base BTF for B only", "B"},
      {"--rules", true, "normalization rules or presets, comma-separated", "LIST"},
      {"--suppress", true, "suppression file of accepted differences", "FILE"},
      {"--format", true, "text (default), json or markdown", "FMT"},
      json_spec("same as --format json"),
      {"--leaf", false, "report each change once, at the changed type, with its impacts"},
      {"--bisect-exit", false, "exit codes for `git bisect run`: 0 equal, 1 different, 125 error"},
      {"--allow-target-mismatch", false,
       "compare A and B although their targets differ (pointer size or byte order)"},
      target_spec("target of raw A and B (an ELF's header decides for it): 32le, 64be, ... "
                  "or an architecture"),
      output_spec("write the report to OUT (atomically) instead of stdout"),
  };
  Args args(argv, specs);
  if (args.help()) {
    std::fputs((usage_text("diff", "A B [options]",
                           "Compare two BTFs structurally (ID-free), listing added, removed and "
                           "changed types\nand members with the path and the before/after values. "
                           "Exit 0 equal, 1 different, 2 error.",
                           specs) + rules_help()).c_str(), stdout);
    return kExitOk;
  }
  const int err_code = args.has("--bisect-exit") ? 125 : kExitError;
  auto fail = [&](const std::string& msg) {
    std::fprintf(stderr, "btfcheck diff: %s\n", msg.c_str());
    return err_code;
  };
  if (!args.error().empty()) return fail(args.error());
  if (args.positional().size() != 2) return fail("expected two inputs A B (see --help)");
  const auto fmt = format_option(args, "diff", {"text", "json", "markdown"}, "text");
  if (!fmt) return err_code;
  const std::string format = *fmt;
  auto rules = canon::parse_rules(args.value_or("--rules", ""));
  if (!rules) return fail(rules.error().str());
  std::vector<diff::Suppression> sups;
  if (auto sp = args.value("--suppress")) {
    auto text = btf::read_file(*sp);
    if (!text) return fail(text.error().str());
    auto parsed = diff::parse_suppressions(std::string(text->begin(), text->end()), *sp);
    if (!parsed) return fail(parsed.error().str());
    sups = std::move(*parsed);
  }
  std::optional<btf::Target> target;
  if (!target_option(args, "diff", target)) return err_code;
  const std::string& pa = args.positional()[0];
  const std::string& pb = args.positional()[1];
  const std::string base = args.value_or("--base", "");
  auto a = open_input(pa, args.value_or("--base-a", base), target);
  if (!a) return fail(a.error().str());
  auto b = open_input(pb, args.value_or("--base-b", base), target);
  if (!b) return fail(b.error().str());
  const bool allow = args.has("--allow-target-mismatch");
  if (std::string why = target_mismatch(**a, pa, **b, pb, allow); !why.empty()) return fail(why);
  if (allow && !btf::target_difference((*a)->target(), (*b)->target()).empty())
    std::fprintf(stderr, "btfcheck diff: note: comparing %s (%s) with %s (%s)\n", pa.c_str(),
                 btf::describe((*a)->target()).c_str(), pb.c_str(),
                 btf::describe((*b)->target()).c_str());
  const canon::Options co{*rules};
  // The two graphs are independent: build them on two threads (the result does not depend
  // on scheduling; each build is deterministic on its own).
  canon::Graph ga, gb;
  std::thread other([&] { gb = canon::build(**b, co); });
  ga = canon::build(**a, co);
  other.join();
  diff::Options opts;
  opts.leaf = args.has("--leaf");
  diff::Report report = diff::diff(ga, gb, opts);
  report.target_a = btf::target_json((*a)->target());
  report.target_b = btf::target_json((*b)->target());
  if (!sups.empty()) diff::apply_suppressions(report, sups);
  std::string out = format == "json"       ? diff::render_json(report, pa, pb)
                    : format == "markdown" ? diff::render_markdown(report, pa, pb)
                                           : diff::render_text(report);
  // Freeing two graphs of 100k classes each is a tenth of the run: B's on a second thread.
  std::thread release([g = std::move(gb)]() mutable { canon::Graph drop = std::move(g); });
  ga = canon::Graph();
  release.join();
  if (std::string err = write_output(args.value_or("-o", "-"), out); !err.empty())
    return fail(err);
  return report.unsuppressed() ? kExitFindings : kExitOk;
}

}  // namespace btfcheck::cli
