// btfcheck verify FILE [--base B] [--json] [-o OUT] [--archive] [--fixup=libbpf] [--kernel-builtin]
// btfcheck verify --dwarf ELF [FILE] [--base B] [--json] [-o OUT]
//
// Loads FILE (raw BTF, /sys/kernel/btf/*, or an ELF's .BTF) on its base (cli/input.h: a
// module under /sys/kernel/btf/ is split on vmlinux, as in every command), optionally applies libbpf's
// load-time fixups, and checks it against the kernel verifier's rules (comparator/verify).
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
#include "comparator/dwarfcheck/dwarfcheck.h"
#include "comparator/verify/verify.h"
#include "encoder/fixup/fixup.h"

namespace btfcheck::cli {
namespace {

const std::vector<OptionSpec> kSpecs = {
    base_spec(),
    json_spec("print one JSON object instead of text"),
    output_spec("write the report to OUT (atomically) instead of stdout"),
    {"--archive", false, "FILE is a BTF archive (concatenated blobs): verify every member"},
    {"--fixup", true, "apply a loader's fixups first; LOADER: libbpf (needs the ELF object)",
     "LOADER"},
    {"--kernel-builtin", false,
     "vmlinux/module rules: no resolve pass, no size cap, no type-section checks"},
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
    "BPF_BTF_LOAD by the newest kernel. Exit 0 valid, 1 violations, 2 could not run.";

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "btfcheck verify: %s\n(see btfcheck verify --help)\n", msg.c_str());
  return kExitError;
}

// FILE's base (cli/input.h's rule) into `base`; false (after saying why) when it cannot be
// opened.
bool open_base_of(const Args& args, const std::string& file, std::shared_ptr<const btf::Btf>& base) {
  auto b = open_base(file, args.value_or("--base", ""));
  if (!b) {
    std::fprintf(stderr, "btfcheck verify: base: %s\n", b.error().str().c_str());
    return false;
  }
  base = *b;
  return true;
}

// verify --dwarf ELF [FILE]: the DWARF cross-check.
int run_dwarf(const Args& args, const std::string& elf) {
  if (args.positional().size() > 1) return usage_error("--dwarf takes at most one FILE (the BTF)");
  if (args.has("--archive") || args.has("--fixup") || args.has("--kernel-builtin"))
    return usage_error("--dwarf cannot be combined with --archive, --fixup or --kernel-builtin");
  const std::string file = args.positional().empty() ? elf : args.positional()[0];
  auto btf = open_input(file, args.value_or("--base", ""));
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

struct Checked {
  std::string section;
  verify::Report report;
};

}  // namespace

int cmd_verify(const Argv& argv) {
  Args args(argv, kSpecs);
  if (args.help()) {
    std::string text = usage_text("verify", "FILE [options] | --dwarf ELF [FILE] [options]", kSummary, kSpecs);
    text += "\nrules (id, meaning, kernel message):\n" + verify::rule_table();
    text += "\n--dwarf ELF [FILE]: FILE's types and FUNCs against ELF's DWARF (a structural btfdiff).\n"
            "FILE defaults to ELF itself (its .BTF); --base for split BTF (modules); --json; -o.\n"
            "Exit 0 clean, 1 findings, 2 no DWARF / unreadable input.\n"
            "--dwarf rules:\n" + dwarfcheck::rule_table() + "--dwarf policy:\n" + dwarfcheck::policy_text();
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  if (!args.error().empty()) return usage_error(args.error());
  if (auto elf = args.value("--dwarf")) return run_dwarf(args, *elf);
  if (args.has("--strict-arrays")) return usage_error("--strict-arrays needs --dwarf");
  if (args.positional().size() != 1) return usage_error("expected exactly one FILE");
  const std::string file = args.positional()[0];
  const auto fixup = args.value("--fixup");
  if (fixup && *fixup != "libbpf") return usage_error("unknown --fixup loader '" + *fixup + "' (known: libbpf)");
  const bool json = args.has("--json"), archive = args.has("--archive");
  const verify::Options opts =
      args.has("--kernel-builtin") ? verify::Options::kernel_builtin() : verify::Options{};

  // verify reads FILE's bytes, not a parsed Btf: malformed framing is a violation here.
  std::shared_ptr<const btf::Btf> base;
  if (!open_base_of(args, file, base)) return kExitError;
  auto blob = btf::load_blob(file);
  if (!blob) {
    std::fprintf(stderr, "btfcheck verify: %s\n", blob.error().str().c_str());
    return kExitError;
  }

  std::vector<Checked> results;
  bool fixup_failed = false;
  if (fixup) {
    if (!blob->from_elf) return usage_error("--fixup=libbpf needs an ELF object, " + file + " is raw BTF");
    // libbpf's load-time fixups (encoder/fixup). A refusal is a finding: libbpf would not
    // load the object at all.
    auto fixed = fixup::apply_libbpf(file, blob->bytes);
    if (!fixed) {
      verify::Report r;
      r.violations.push_back(verify::from_parse_error(fixed.error()));
      results.push_back({blob->section, std::move(r)});
      fixup_failed = true;
    } else {
      blob->bytes = std::move(*fixed);
    }
  }

  if (fixup_failed) {
    // nothing more to check
  } else if (archive) {
    auto members = btf::split_archive(blob->bytes, file, blob->section);
    if (!members) {
      verify::Report r;
      r.violations.push_back(verify::from_parse_error(members.error()));
      results.push_back({blob->section, std::move(r)});
    } else {
      for (size_t i = 0; i < members->size(); ++i) {
        const btf::ArchiveMember& m = (*members)[i];
        std::string section = blob->section;
        if (members->size() > 1)
          section = (section.empty() ? std::string("archive") : section) + "#" + std::to_string(i);
        std::vector<uint8_t> bytes(blob->bytes.begin() + m.offset,
                                   blob->bytes.begin() + m.offset + m.size);
        results.push_back({section, verify::verify_bytes(std::move(bytes),
                                                         btf::ParseOptions{file, section, base}, opts)});
      }
    }
  } else {
    auto members = btf::split_archive(blob->bytes, file, blob->section);
    verify::Report r =
        verify::verify_bytes(blob->bytes, btf::ParseOptions{file, blob->section, base}, opts);
    if (members && members->size() > 1) {
      verify::Violation v;
      v.rule = "archive.multiple";
      v.offset = (*members)[1].offset;
      v.message = "input holds " + std::to_string(members->size()) +
                  " concatenated BTF blobs (a BTF archive, as `ld -r` leaves .BTF); the kernel "
                  "loads a single blob and rejects this; use --archive to verify each member";
      r.violations.push_back(std::move(v));
      verify::sort_violations(r.violations);
    }
    results.push_back({blob->section, std::move(r)});
  }

  bool valid = true;
  for (const Checked& c : results) valid = valid && c.report.valid();
  std::string out;
  if (json) {
    if (archive) {
      out = "{\"file\":" + json_quote(file) + ",\"valid\":" + (valid ? "true" : "false") +
            ",\"members\":[";
      for (size_t i = 0; i < results.size(); ++i)
        out += (i ? ",\n" : "\n") + verify::format_json(results[i].report, file, results[i].section);
      out += "\n]}\n";
    } else {
      out = verify::format_json(results[0].report, file, results[0].section) + "\n";
    }
  } else {
    for (const Checked& c : results)
      out += verify::format_text(c.report, file, c.section,
                                 archive && results.size() > 1 ? file + ": " + c.section : "");
  }
  if (int rc = emit_output(args, "verify", out); rc != kExitOk) return rc;
  return valid ? kExitOk : kExitFindings;
}

}  // namespace btfcheck::cli
