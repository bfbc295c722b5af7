// btfcheck encode MODE ...
//
//   encode dwarf ELF -o OUT [-j N] [--compat MODE] [--features LIST] [--base BASE] [--elf] [--explain]
//                           [--lang-exclude=rust] [--stats]
//   encode archive ...      (cmd_encode_archive)
//
// Thin: parse, call encode::encode_dwarf, write the raw BTF (or an ELF copy carrying it
// in .BTF) atomically, print the --explain lines on stderr. Any other mode is a usage
// error (exit 2).
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/encode_explain.h"
#include "cli/progress.h"
#include "encoder/dwarf/encode.h"

namespace btfcheck::cli {
namespace {

const std::vector<OptionSpec> kSpecs = {
    output_spec("output file (raw BTF, or an ELF with --elf), written atomically"),
    jobs_spec("worker threads (default 0: number of CPUs); output is the same for every N"),
    {"--compat", true,
     "reproduce another encoder: pahole-1.24 (its output exactly: -func_by_address), "
     "pahole-master (v1.31-38 with libbpf 1.8: its default features, its function checks, "
     "a 32-byte header), none (default: btfcheck's own choices)",
     "MODE"},
    {"--features", true,
     "BTF features as pahole's --btf_features: default (pahole master's nine: var, float, "
     "decl_tag, type_tag, enum64, optimized_func, consistent_func, decl_tag_kfuncs, "
     "encode_force), +a,b (the mode's defaults plus), a,b (only these), -a, all. Without it: "
     "var, float, decl_tag, type_tag, enum64 and func_by_address (a FUNC's prototype is that of "
     "the subprogram at its symbol's address; -func_by_address: the first CU's, as pahole 1.24); "
     "--compat=pahole-master: its default set. Also: global_var, layout (32-byte header and "
     "layout section, base BTF only), attributes, distilled_base (with --base and --elf: "
     ".BTF split on a distilled .BTF.base), unambiguous_func (skip names with several symbol "
     "addresses), param_regs (skip functions whose parameters are, at entry, not in their "
     "calling-convention registers, or optimized out of a function gcc marked DW_CC_nocall), "
     "true_signature (--compat=pahole-master: a clone's FUNC under its ELF name, foo.isra.0; "
     "clang DW_CC_nocall functions' parameters as passed)",
     "LIST"},
    base_spec("base BTF (raw, ELF .BTF or /sys/kernel/btf/vmlinux): encode split BTF, e.g. for a kernel module"),
    {"--elf", false, "write a copy of ELF with its .BTF section replaced or added"},
    {"--explain", false,
     "print 'NAME: skipped: REASON' for every function/variable left out, 'NAME: "
     "replaced: REASON' where the FUNC's prototype is not the one pahole 1.24 gives, with "
     "true_signature 'NAME: renamed: ...' / 'NAME: rewritten: ...' for each FUNC it changed; "
     "without --compat also encodes as --compat=pahole-master (same --features) and prints, for "
     "every FUNC or VAR whose output differs, one 'NAME: vs pahole master: func|var OWN/MASTER "
     "[REASON]: TEXT' line (OWN, MASTER: kept or skipped)"},
    {"--lang-exclude", true, "skip CUs of this language (only 'rust')", "LANG"},
    {"--quiet", false, "no progress bar (shown on a terminal: batches merged, elapsed time)"},
    {"--stats", false,
     "print unit, batch, FUNC and VAR counts, the function entry offsets func_by_address used "
     "(and how they were learned) and phase times on stderr"},
};

const char* kSynopsis =
    "dwarf ELF -o OUT [-j N] [--compat MODE] [--features LIST] [--base BASE] [--elf] "
    "[--explain] [--lang-exclude=rust]\n       btfcheck encode archive IN -o OUT [--base B] [-j N] [--json]";
const char* kSummary =
    "Encode the DWARF of ELF as BTF (libdw reader, libbpf writer and dedup): the types of\n"
    "pahole 1.24 with the Linux 6.1 flags (--btf_gen_floats --lang_exclude=rust) by default,\n"
    "FUNC prototypes taken from the code at each symbol's address (--explain says where\n"
    "that differs from pahole 1.24; --features=-func_by_address gives pahole 1.24's).\n"
    "Parallel and reproducible: the output bytes do not depend on -j.\n"
    "`encode archive --help` describes the archive merge.";

int fail(const std::string& msg) {
  std::fprintf(stderr, "btfcheck encode: %s\n", msg.c_str());
  return kExitError;
}

}  // namespace

int cmd_encode(const Argv& argv) {
  if (!argv.empty() && argv[0] == "archive")
    return cmd_encode_archive(Argv(argv.begin() + 1, argv.end()));
  Args args(argv, kSpecs);
  if (auto rc = help_or_error(args, "encode", kSynopsis, kSummary, kSpecs)) return *rc;
  const auto& pos = args.positional();
  const std::string usage = usage_text("encode", kSynopsis, kSummary, kSpecs);
  if (pos.empty()) return fail("expected a mode (dwarf, archive)\n\n" + usage);
  if (pos[0] != "dwarf") return fail("unknown mode '" + pos[0] + "' (known: dwarf, archive)");
  if (pos.size() != 2) return fail("expected exactly one ELF file\n\n" + usage);
  const std::string out_path = args.value_or("-o", "");
  if (out_path.empty()) return fail("-o OUT is required");

  encode::Options opts;
  const auto jobs = jobs_option(args, "encode");
  if (!jobs) return kExitError;
  opts.jobs = *jobs;
  if (auto c = args.value("--compat")) {
    auto mode = encode::parse_compat(*c);
    if (!mode) return fail(mode.error().message);
    opts.compat = *mode;
  }
  // --explain without --compat compares with pahole master's mode on the same --features.
  encode::Features master = encode::default_features(encode::Compat::PaholeMaster);
  opts.features = encode::default_features(opts.compat);
  if (auto f = args.value("--features")) {
    auto parsed = encode::parse_features(*f, opts.compat);
    if (!parsed) return fail(parsed.error().message);
    opts.features = *parsed;
    auto in_master = encode::parse_features(*f, encode::Compat::PaholeMaster);
    if (in_master) master = *in_master;
  }
  opts.base_path = args.value_or("--base", "");
  opts.explain = args.has("--explain");
  if (auto lang = args.value("--lang-exclude")) {
    if (*lang != "rust") return fail("--lang-exclude: only 'rust' is supported, got '" + *lang + "'");
    opts.exclude_rust = true;
  }

  if (opts.features.distilled_base && (opts.base_path.empty() || !args.has("--elf")))
    return fail("distilled_base writes split BTF and its distilled base into the ELF's .BTF and "
                ".BTF.base: it needs --base VMLINUX and --elf");

  std::unique_ptr<Progress> bar;
  opts.progress = [&](size_t done, size_t total) {
    if (!bar) bar = std::make_unique<Progress>("encode", total,
                                               isatty(STDERR_FILENO) && !args.has("--quiet")
                                                   ? Progress::Mode::Bar
                                                   : Progress::Mode::Quiet);
    bar->step("batch " + std::to_string(done));
  };
  auto res = encode::encode_dwarf(pos[1], opts);
  bar.reset();
  if (!res) return fail(res.error().str());
  for (const std::string& line : res->explain) std::fprintf(stderr, "%s\n", line.c_str());
  if (opts.explain && opts.compat == encode::Compat::None) {
    auto lines = explain_vs_master(pos[1], opts, *res, master);
    if (!lines) return fail(lines.error().str());
    for (const std::string& line : *lines) std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::string bytes = std::move(res->btf);
  if (args.has("--elf")) {
    auto elf = encode::elf_with_btf(pos[1], bytes, res->btf_base);
    if (!elf) return fail(elf.error().str());
    bytes = std::move(*elf);
  }
  if (std::string err = write_output(out_path, bytes); !err.empty()) return fail(err);
  if (args.has("--stats")) {
    std::fprintf(stderr,
                 "btfcheck encode: %u CUs (%u skipped), %u batches, %u FUNCs, %u VARs, "
                 "compat %s, features %s\n",
                 res->cus, res->cus_skipped, res->batches, res->funcs, res->vars,
                 encode::compat_name(opts.compat),
                 encode::features_str(opts.features).c_str());
    std::fprintf(stderr, "btfcheck encode: function entries: %s\n", res->entries.c_str());
    std::fprintf(stderr, "btfcheck encode: time: %s\n", res->timing.c_str());
  }
  return kExitOk;
}

}  // namespace btfcheck::cli
