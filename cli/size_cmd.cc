// btfcheck size A [B]: where the bytes of a BTF go, by kind and name family, and the delta.
// btfcheck size --features LIST ELF: what each BTF feature costs (matrix/feature_cost.h).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "cli/producer_opts.h"
#include "comparator/size/size.h"
#include "matrix/feature_cost.h"

namespace btfcheck::cli {

namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "btfcheck size: %s\n", msg.c_str());
  return kExitError;
}

int feature_cost(const Args& args) {
  const auto& pos = args.positional();
  if (pos.size() != 1) return fail("--features takes one ELF (see --help)");
  matrix::FeatureCostOptions o;
  o.elf = pos[0];
  o.base = args.value_or("--base", "");
  o.features = split_list(*args.value("--features"));
  o.producer = args.value_or("--producer", "pahole-master");
  o.config.self = self_exe();
  const char* env = std::getenv("BTFCHECK_PAHOLE_MASTER");
  o.config.pahole = args.value_or("--pahole", env && *env ? env : "pahole");
  if (auto f = args.value("--pahole-flags")) o.extra_flags = split_list(*f, ' ');
  const auto jobs = jobs_option(args, "size", std::max(1u, std::thread::hardware_concurrency()));
  if (!jobs) return kExitError;
  o.jobs = int(*jobs);
  o.cache = args.value_or("--cache", "");
  o.workdir = args.value_or("--workdir", "");
  const bool own_workdir = o.workdir.empty();
  if (own_workdir && (o.workdir = make_workdir("size")).empty())
    return fail("cannot create a work directory");
  auto doc = matrix::feature_cost(o, [&](const std::string& line) {
    if (!args.has("--quiet")) std::fprintf(stderr, "btfcheck size: %s\n", line.c_str());
  });
  if (!doc.ok()) {
    std::error_code ec;
    if (own_workdir) std::filesystem::remove_all(o.workdir, ec);   // nothing worth keeping
    return fail(doc.error().str());
  }
  std::fprintf(stderr, "btfcheck size: encodings in %s\n", o.workdir.c_str());
  const std::string out = args.has("--json") ? doc->dump(1) + "\n"
                                             : matrix::render_feature_cost_text(*doc);
  if (std::string err = write_output(args.value_or("-o", "-"), out); !err.empty()) return fail(err);
  return kExitOk;
}

}  // namespace

int cmd_size(const Argv& argv) {
  const std::vector<OptionSpec> specs = {
      {"--base", true, "base BTF for split inputs (only their own bytes are counted)", "B"},
      {"--by", true, "kind, family or both (default)", "WHAT"},
      {"--top", true, "rows per text table before the rest is summed (default 20)", "N"},
      {"--json", false, "JSON: {\"total\", \"families\", \"kinds\"} with a, b, delta per row"},
      {"-o", true, "write to FILE (atomically) instead of stdout", "FILE"},
      {"--features", true, "feature cost: encode ELF with and without each of these pahole BTF "
                           "features (comma-separated) and tabulate what each adds", "LIST"},
      {"--producer", true, "with --features: pahole-master (default) or btfcheck "
                           "(encode dwarf --compat=pahole-master)", "P"},
      {"--pahole", true, "with --features: the pahole master binary (default $BTFCHECK_PAHOLE_MASTER, "
                         "else pahole on PATH)", "PATH"},
      {"--pahole-flags", true, "with --features: more pahole flags for every encoding, space-separated", "FLAGS"},
      jobs_spec("with --features: -jN for the producer (default: every hardware thread)"),
      {"--cache", true, "with --features: reuse and keep encodings here (as matrix --cache)", "DIR"},
      {"--workdir", true, "with --features: keep the encodings here (default: a new directory under /tmp)", "DIR"},
      {"--quiet", false, "with --features: no line per encoding on stderr"},
  };
  Args args(argv, specs);
  if (auto rc = help_or_error(
          args, "size", "A [B] [--base B0] [--by kind|family|both] [--top N] [--json] [-o OUT]\n"
                        "       btfcheck size --features LIST ELF [--producer pahole-master|btfcheck] "
                        "[--base VMLINUX] [--pahole PATH] [-j N] [--cache DIR] [--json] [-o OUT]",
          "Charge every byte of a BTF to one kind and one name family (the header, each type\n"
          "record to the named type that introduced it, each string to its first user), and\n"
          "with B show each line's bytes in A and B and the delta. Deltas add up to the total\n"
          "delta, which is the difference of the two blobs' sizes.\n\n"
          "With --features, encode ELF once per feature list (pahole's --btf_features=default,\n"
          "and default plus each feature; a feature in the default set is compared as the\n"
          "default without it) and print what each feature costs: bytes, percent and the\n"
          "largest families of the cost. --json gives btfcheck-feature-cost/1, which\n"
          "`btfcheck report` draws.",
          specs,
          "families: per-CPU variables, tracepoints (__tracepoint_*), static calls\n"
          "(__SCK__*, __SCT__*), __UNIQUE_ID_*, __ksymtab*, __initcall*, variables PREFIX*,\n"
          "bpf_* kfunc tags, types PREFIX* (struct/union/enum/typedef by the name's first\n"
          "component: sk_*, tcp_*), functions PREFIX*, base types, sections (DATASEC),\n"
          "header, unreachable anonymous types, unreferenced strings, other sections and\n"
          "padding, other.\n"))
    return *rc;
  if (args.has("--features")) return feature_cost(args);
  const auto& pos = args.positional();
  if (pos.empty() || pos.size() > 2) return fail("expected A [B] (see --help)");
  const std::string by_s = args.value_or("--by", "both");
  size::By by = size::By::Both;
  if (by_s == "kind") by = size::By::Kind;
  else if (by_s == "family") by = size::By::Family;
  else if (by_s != "both") return fail("--by takes kind, family or both, not '" + by_s + "'");
  const std::string top_s = args.value_or("--top", "20");
  char* end = nullptr;
  const unsigned long top = std::strtoul(top_s.c_str(), &end, 10);
  if (top_s.empty() || *end) return fail("--top takes a number, not '" + top_s + "'");

  std::vector<size::Breakdown> parts;
  for (const std::string& file : pos) {
    auto b = open_input(file, args.value_or("--base", ""));
    if (!b) return fail(b.error().str());
    parts.push_back(size::breakdown(**b));
  }
  const size::Comparison c = size::compare(parts[0], parts.size() > 1 ? &parts[1] : nullptr);
  const std::string out = args.has("--json")
                              ? size::render_json(c, by)
                              : size::render_text(c, by, top, pos[0], pos.size() > 1 ? pos[1] : "");
  if (std::string err = write_output(args.value_or("-o", "-"), out); !err.empty()) return fail(err);
  return kExitOk;
}

}  // namespace btfcheck::cli
