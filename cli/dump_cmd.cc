// btfcheck dump FILE [--base B] [--format raw|json|c] [-o OUT]
//
// Thin: open the input (and base, cli/input.h), call dump::dump, write the result atomically.
// Mirrors `bpftool btf dump file FILE`: a file under /sys/kernel/btf/ other than vmlinux is
// split BTF on /sys/kernel/btf/vmlinux unless --base says otherwise, and the target's pointer
// size (an ELF's class, as libbpf's btf__parse_elf takes it, or --target; else libbpf's
// guess from long) is the C dump's. json adds the target and the layout section. A BTF archive
// (blobs concatenated, as `ld -r` leaves .BTF) is dumped like bpftool does it, by its first
// blob (libbpf ignores what follows), with a note on stderr; --member N picks another.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "btf/dump.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/input.h"

namespace btfcheck::cli {
namespace {

const std::vector<OptionSpec> kSpecs = {
    base_spec(),
    {"--format", true, "raw (bpftool's text, default), json (bpftool -j) or c", "FMT"},
    json_spec("same as --format json"),
    output_spec(),
    {"--member", true, "for a BTF archive: dump blob N (default 0, as bpftool)", "N"},
    target_spec(),
};

int fail(const Error& e) {
  std::fprintf(stderr, "btfcheck dump: %s\n", e.str().c_str());
  return kExitError;
}

}  // namespace

int cmd_dump(const Argv& argv) {
  Args args(argv, kSpecs);
  const std::string usage = usage_text(
      "dump", "FILE [--base B] [--format raw|json|c] [--target SPEC] [-o OUT]",
      "Print BTF as `bpftool btf dump file FILE` does: raw (byte-identical), json (as\n"
      "bpftool -j) or c (vmlinux.h through libbpf's btf_dump).",
      kSpecs);
  if (args.help()) {
    std::fputs(usage.c_str(), stdout);
    return kExitOk;
  }
  if (!args.error().empty() || args.positional().size() != 1) {
    std::fprintf(stderr, "btfcheck dump: %s\n\n%s",
                 args.error().empty() ? "expected exactly one FILE" : args.error().c_str(),
                 usage.c_str());
    return kExitError;
  }
  dump::Options opts;
  const auto format = format_option(args, "dump", {"raw", "json", "c"}, "raw");
  if (!format) return kExitError;
  opts.format = *dump::parse_format(*format);

  std::optional<btf::Target> target;
  if (!target_option(args, "dump", target)) return kExitError;
  const std::string& file = args.positional()[0];
  const std::string base = args.value_or("--base", "");
  auto btf = open_input(file, base, target);
  if (!btf && btf.error().rule == "archive.multiple") {
    auto members = open_input_archive(file, base, target);
    if (!members) return fail(members.error());
    const std::string m = args.value_or("--member", "0");
    char* end = nullptr;
    const unsigned long idx = std::strtoul(m.c_str(), &end, 10);
    if (m.empty() || *end || idx >= members->size()) {
      std::fprintf(stderr, "btfcheck dump: --member %s: %s holds %zu blobs\n", m.c_str(),
                   file.c_str(), members->size());
      return kExitError;
    }
    std::fprintf(stderr, "btfcheck dump: note: %s is a BTF archive of %zu blobs; dumping blob %lu\n",
                 file.c_str(), members->size(), idx);
    btf = (*members)[idx];
  }
  if (!btf) return fail(btf.error());
  // As bpftool: the ELF's class; for raw BTF --target, else libbpf's own guess (0).
  const btf::Target& t = (*btf)->target();
  opts.pointer_size = t.from == btf::TargetFrom::Elf || t.from == btf::TargetFrom::Option ? t.ptr_size : 0;

  auto out = dump::dump(**btf, opts);
  if (!out) return fail(out.error());

  return emit_output(args, "dump", *out);
}

}  // namespace btfcheck::cli
