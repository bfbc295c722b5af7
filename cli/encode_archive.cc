// btfcheck encode archive IN -o OUT [--base B] [-j N] [--json]
//
// Splits IN's BTF archive (an ELF's .BTF holding concatenated per-object BTF, or a file of
// concatenated blobs) into members and merges them with libbpf (btf__add_btf in member
// order, one btf__dedup). Prints member count, types and bytes before and after dedup and
// the time of each phase. The output is written atomically.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "btf/json.h"
#include "btf/load.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "canon/rules.h"
#include "encoder/archive/archive.h"

namespace btfcheck::cli {
namespace {

const std::vector<OptionSpec> kSpecs = {
    output_spec("output raw BTF file (required), written atomically"),
    base_spec("base BTF the members are split on (modules)"),
    {"--dedup", true, "libbpf (btf__add_btf + btf__dedup, default) or canonical (global canonical graph)", "ALG"},
    {"--rules", true, "with --dedup=canonical: param-names merges prototypes differing only in parameter names", "LIST"},
    {"--no-sanitize", false, "with --dedup=canonical: keep the raw merge (no drops or fixes for the kernel's rules)"},
    jobs_spec("with --dedup=canonical: threads for parsing and modelling members (default 0: hardware threads; same output for every N)"),
    {"--explain", false, "with --dedup=canonical: list every ambiguity left (default: the first 10)"},
    json_spec("print the statistics as JSON"),
};

int fail(const std::string& msg) {
  std::fprintf(stderr, "btfcheck encode archive: %s\n", msg.c_str());
  return kExitError;
}

}  // namespace

int cmd_encode_archive(const Argv& argv) {
  Args args(argv, kSpecs);
  if (auto rc = help_or_error(
          args, "encode archive", "IN -o OUT [--dedup libbpf|canonical] [--rules LIST] [--no-sanitize] [-j N] [--base B] [--json]",
          "Merge a BTF archive (concatenated per-object BTF, as `ld -r` leaves the .BTF\n"
          "sections of objects built with -gbtf or pahole -J) into one BTF: every member\n"
          "added in member order with libbpf's btf__add_btf, then one btf__dedup; or, with\n"
          "--dedup=canonical, through btfcheck's canonical graph: equivalence decided\n"
          "globally (cycle-aware partition refinement), forwards unified with their definition\n"
          "whenever unambiguous after minimization, ambiguities reported, never guessed;\n"
          "then sanitized (unless --no-sanitize) into BTF the kernel loads: invalid DATASECs\n"
          "and their VARs, unnamed FUNCs and FUNCs with unnamed parameters dropped, FWD type\n"
          "words, multi-bit INT encodings, void ARRAY indexes and struct FWDs passed by value\n"
          "(gcc 12's incomplete enums) fixed; counts per reason on stderr and in --json.",
          kSpecs))
    return *rc;
  if (args.positional().size() != 1) return fail("expected one input (see --help)");
  const std::string out = args.value_or("-o", "");
  if (out.empty()) return fail("-o OUT is required");
  const std::string alg = args.value_or("--dedup", "libbpf");
  if (alg != "libbpf" && alg != "canonical")
    return fail("unknown --dedup algorithm '" + alg + "' (known: libbpf, canonical)");
  const auto jobs = jobs_option(args, "encode archive");
  if (!jobs) return kExitError;
  const std::string in = args.positional()[0];
  auto base = open_base(in, args.value_or("--base", ""));
  if (!base.ok()) return fail(base.error().str());
  auto blob = btf::load_view(in);   // the section in place: merges copy what they keep
  if (!blob.ok()) return fail(blob.error().str());
  archive::Ambiguities amb;
  std::vector<std::string> rules;
  if (auto r = args.value("--rules")) {
    if (alg != "canonical") return fail("--rules needs --dedup=canonical");
    auto parsed = canon::parse_rules(*r);
    if (!parsed.ok()) return fail(parsed.error().str());
    rules = *parsed;
  }
  if (args.has("--no-sanitize") && alg != "canonical") return fail("--no-sanitize needs --dedup=canonical");
  archive::CanonicalOptions copts;
  copts.rules = rules;
  copts.sanitize = !args.has("--no-sanitize");
  copts.jobs = *jobs;
  auto merged = alg == "canonical"
                    ? archive::merge_canonical(blob->bytes, blob->file, blob->section, *base, &amb,
                                               copts)
                    : archive::merge_libbpf(blob->bytes, blob->file, blob->section, *base);
  if (!merged.ok()) return fail(merged.error().str());
  const std::string bytes(merged->bytes.begin(), merged->bytes.end());
  if (std::string err = write_output(out, bytes); !err.empty()) return fail(err);
  const archive::Stats& s = merged->stats;
  char buf[8192];
  if (args.has("--json")) {
    std::string extra;
    if (alg == "canonical")
      extra = ",\"premerge_mapped\":" + std::to_string(s.premerge_mapped) +
              ",\"premerge_kept\":" + std::to_string(s.premerge_kept) +
              ",\"premerge_retries\":" + std::to_string(s.premerge_retries);
    if (s.sanitized)
      extra += ",\"sanitize_s\":" + std::to_string(s.sanitize_s) + ",\"sanitize\":" + s.sanitize.json();
    std::snprintf(buf, sizeof buf,
                  "{\"input\":%s,\"members\":%zu,\"input_bytes\":%llu,\"types_before\":%u,"
                  "\"types_after\":%u,\"bytes_before\":%llu,\"bytes_after\":%llu,"
                  "\"add_s\":%.4f,\"dedup_s\":%.4f%s}\n",
                  json_quote(in).c_str(), s.members, (unsigned long long)s.input_bytes,
                  s.types_before, s.types_after, (unsigned long long)s.bytes_before,
                  (unsigned long long)s.bytes_after, s.add_s, s.dedup_s, extra.c_str());
  } else {
    std::snprintf(buf, sizeof buf,
                  "%s: %zu member(s), %llu bytes; types %u -> %u after dedup; BTF %llu -> %llu "
                  "bytes; add %.3f s, dedup %.3f s\n",
                  in.c_str(), s.members, (unsigned long long)s.input_bytes, s.types_before,
                  s.types_after, (unsigned long long)s.bytes_before,
                  (unsigned long long)s.bytes_after, s.add_s, s.dedup_s);
  }
  std::fputs(buf, stdout);
  if (s.sanitized) std::fprintf(stderr, "%s\n", s.sanitize.summary().c_str());
  // Ambiguities go to stderr: stdout stays one line (or one JSON object).
  const size_t limit = args.has("--explain") ? SIZE_MAX : 10;
  auto list = [&](const std::vector<std::string>& v, const char* what) {
    if (v.empty()) return;
    std::fprintf(stderr, "%zu %s:\n", v.size(), what);
    for (size_t i = 0; i < v.size() && i < limit; ++i) std::fprintf(stderr, "  %s\n", v[i].c_str());
    if (v.size() > limit) std::fprintf(stderr, "  ... (--explain lists all)\n");
  };
  list(amb.forwards, "forward declaration(s) left unresolved: their name has several different definitions");
  list(amb.funcs, "function name(s) with conflicting prototypes, kept apart");
  return kExitOk;
}

}  // namespace btfcheck::cli
