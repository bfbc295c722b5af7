// btfcheck verify FILE [--base B] [--json] [-o OUT] [--archive] [--fixup=libbpf]
//                      [--kernel X.Y] [--kernel-builtin] [--target SPEC]
// btfcheck verify --dwarf ELF [FILE] [--base B] [--json] [-o OUT]
//
// Loads FILE (raw BTF, /sys/kernel/btf/*, or an ELF's .BTF) on its base (cli/input.h: a
// module under /sys/kernel/btf/ is split on vmlinux, as in every command), optionally applies libbpf's
// load-time fixups, and checks it against the kernel verifier's rules (comparator/verify) of
// one release (--kernel, default the newest known; comparator/verify/releases.h), for the
// target its ELF header, --target or its own long gives. The steps are cli/verify_steps.h.
// Exit 0: valid; 1: violations (framing errors, a multi-blob archive checked as one blob,
// and objects libbpf would refuse count as violations); 2: unreadable input or bad usage.
// With --dwarf ELF, FILE (default: ELF's own .BTF) is instead cross-checked against ELF's
// DWARF and symbol table (comparator/dwarfcheck): exit 0 clean, 1 findings, 2 when the ELF
// has no DWARF or FILE cannot be parsed.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/load.h"
#include "btf/json.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "cli/verify_steps.h"
#include "comparator/dwarfcheck/dwarfcheck.h"
#include "comparator/verify/releases.h"
#include "comparator/verify/verify.h"

namespace btfcheck::cli {
namespace {

const std::vector<OptionSpec> kSpecs = {
    base_spec(),
    json_spec("print one JSON object instead of text"),
    output_spec("write the report to OUT (atomically) instead of stdout"),
    {"--archive", false, "FILE is a BTF archive (concatenated blobs): verify every member"},
    {"--fixup", true, "apply a loader's fixups first; LOADER: libbpf (needs the ELF object)",
     "LOADER"},
    {"--kernel", true,
     "judge as this release's kernel/bpf/btf.c: 6.1 ... 6.18 (X.Y.Z: a stable update), or "
     "next (bpf-next 2026); default: the newest known (list below)",
     "X.Y"},
    {"--kernel-builtin", false,
     "vmlinux/module rules: no resolve pass, no size cap, no type-section checks"},
    target_spec(),
    {"--dwarf", true,
     "instead of the kernel rules, cross-check FILE against ELF's DWARF and symbols; FILE "
     "may be omitted to check ELF's own .BTF (rules below)",
     "ELF"},
    {"--strict-arrays", false,
     "with --dwarf: multi-dimensional arrays must keep their dimensions (default: compare "
     "total element counts, as pahole flattens them)"},
};

constexpr const char* kSummary =
    "Check BTF against the Linux kernel's BTF verifier (kernel/bpf/btf.c) and report every\n"
    "violation with its rule id, type id and byte offset. Default rules: a BTF loaded with\n"
    "BPF_BTF_LOAD by the newest kernel release known; --kernel X.Y judges as another. The\n"
    "pointer size comes from the ELF header, --target or the BTF's long, and the summary\n"
    "says which. Exit 0 valid, 1 violations, 2 could not run.";

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "btfcheck verify: %s\n(see btfcheck verify --help)\n", msg.c_str());
  return kExitError;
}

// verify --dwarf ELF [FILE]: the DWARF cross-check.
int run_dwarf(const Args& args, const std::string& elf, const std::optional<btf::Target>& target) {
  if (args.positional().size() > 1) return usage_error("--dwarf takes at most one FILE (the BTF)");
  if (args.has("--archive") || args.has("--fixup") || args.has("--kernel-builtin") ||
      args.has("--kernel"))
    return usage_error("--dwarf cannot be combined with --archive, --fixup, --kernel or --kernel-builtin");
  const std::string file = args.positional().empty() ? elf : args.positional()[0];
  auto btf = open_input(file, args.value_or("--base", ""), target);
  if (!btf) {
    std::fprintf(stderr, "btfcheck verify: %s\n(run `btfcheck verify %s` for its violations)\n",
                 btf.error().str().c_str(), file.c_str());
    return kExitError;
  }
  dwarfcheck::Options opts;
  opts.flat_arrays = !args.has("--strict-arrays");
  auto report = dwarfcheck::check(elf, **btf, opts);
  if (!report) {
    std::fprintf(stderr, "btfcheck verify: --dwarf: %s\n", report.error().str().c_str());
    return kExitError;
  }
  const std::string out = args.has("--json") ? dwarfcheck::format_json(*report, file, elf) + "\n"
                                             : dwarfcheck::format_text(*report, file, elf);
  if (int rc = emit_output(args, "verify", out); rc != kExitOk) return rc;
  return report->clean() ? kExitOk : kExitFindings;
}

// --kernel X.Y and --kernel-builtin as verify::Options; nullopt after a usage error.
std::optional<verify::Options> rules_option(const Args& args) {
  verify::Kernel k = verify::newest_kernel();
  if (auto spec = args.value("--kernel")) {
    std::string why;
    auto parsed = verify::parse_kernel(*spec, &why);
    if (!parsed) {
      usage_error("--kernel: " + why);
      return std::nullopt;
    }
    k = *parsed;
  }
  return verify::options_for(k, args.has("--kernel-builtin"));
}

}  // namespace

int cmd_verify(const Argv& argv) {
  Args args(argv, kSpecs);
  if (args.help()) {
    std::string text = usage_text("verify", "FILE [options] | --dwarf ELF [FILE] [options]", kSummary, kSpecs);
    text += "\n" + verify::release_table();
    text += "\nrules (id, meaning, kernel message):\n" + verify::rule_table();
    text += "\n--dwarf ELF [FILE]: FILE's types and FUNCs against ELF's DWARF (a structural btfdiff).\n"
            "FILE defaults to ELF itself (its .BTF); --base for split BTF (modules); --json; -o.\n"
            "Exit 0 clean, 1 findings, 2 no DWARF / unreadable input.\n"
            "--dwarf rules:\n" + dwarfcheck::rule_table() + "--dwarf policy:\n" + dwarfcheck::policy_text();
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  if (!args.error().empty()) return usage_error(args.error());
  std::optional<btf::Target> target;
  if (!target_option(args, "verify", target)) return kExitError;
  if (auto elf = args.value("--dwarf")) return run_dwarf(args, *elf, target);
  if (args.has("--strict-arrays")) return usage_error("--strict-arrays needs --dwarf");
  if (args.positional().size() != 1) return usage_error("expected exactly one FILE");
  const std::string file = args.positional()[0];
  const auto fixup = args.value("--fixup");
  if (fixup && *fixup != "libbpf") return usage_error("unknown --fixup loader '" + *fixup + "' (known: libbpf)");
  const auto opts = rules_option(args);
  if (!opts) return kExitError;

  auto in = open_verify_input(file, args.value_or("--base", ""), target);
  if (!in) {
    std::fprintf(stderr, "btfcheck verify: %s\n", in.error().str().c_str());
    return kExitError;
  }
  std::vector<Checked> results;
  if (fixup) {
    if (!in->blob.from_elf) return usage_error("--fixup=libbpf needs an ELF object, " + file + " is raw BTF");
    if (auto refused = apply_fixup(*in, *opts)) results.push_back(std::move(*refused));
  }
  const bool archive = args.has("--archive");
  if (results.empty()) results = check_input(*in, *opts, archive);

  bool valid = true;
  for (const Checked& c : results) valid = valid && c.report.valid();
  const std::string out = render_results(results, file, args.has("--json"), archive);
  if (int rc = emit_output(args, "verify", out); rc != kExitOk) return rc;
  return valid ? kExitOk : kExitFindings;
}

}  // namespace btfcheck::cli
