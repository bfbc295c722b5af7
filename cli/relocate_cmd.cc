// btfcheck relocate MODULE --base VMLINUX -o OUT: a module's BTF, split on its distilled
// .BTF.base, relocated onto VMLINUX's BTF the way the kernel does it at module load
// (btf/relocate.h), written as raw split BTF on VMLINUX. Every distilled type that cannot be
// matched is printed with its rule id (exit 1, no output written): this is the module whose
// BTF the kernel would refuse.
#include <cstdio>

#include "btf/load.h"
#include "btf/relocate.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/input.h"

namespace btfcheck::cli {

int cmd_relocate(const Argv& argv) {
  const std::vector<OptionSpec> specs = {
      {"--base", true, "the BTF to relocate onto: a vmlinux (ELF or raw BTF)", "VMLINUX"},
      output_spec("write the relocated split BTF to OUT (atomically); required"),
      json_spec("the findings as JSON: {\"file\",\"base\",\"relocated\",\"findings\":[...]}"),
  };
  Args args(argv, specs);
  if (auto rc = help_or_error(
          args, "relocate", "MODULE --base VMLINUX -o OUT [--json]",
          "Relocate a module's BTF from its distilled base (.BTF.base, pahole's\n"
          "--btf_features=distilled_base) onto VMLINUX, as the kernel does at module load\n"
          "(libbpf's btf__relocate): each distilled type is matched by kind, name and size.\n"
          "OUT is raw split BTF on VMLINUX. A type that cannot be matched is a finding\n"
          "(relocate.missing, relocate.kind, relocate.size, relocate.ambiguous,\n"
          "relocate.string, distilled.kind, distilled.anon): exit 1 and no OUT.",
          specs))
    return *rc;
  auto fail = [](const std::string& msg) {
    std::fprintf(stderr, "btfcheck relocate: %s\n", msg.c_str());
    return kExitError;
  };
  if (args.positional().size() != 1) return fail("expected one MODULE (see --help)");
  const auto base_path = args.value("--base");
  if (!base_path) return fail("--base VMLINUX is required");
  if (!args.value("-o")) return fail("-o OUT is required");
  const std::string& file = args.positional()[0];
  auto onto = btf::open_btf(*base_path);
  if (!onto) return fail("base: " + onto.error().str());
  auto mod = btf::open_distilled(file);
  if (!mod) return fail(mod.error().str());
  if (!*mod)
    return fail(file + ": no .BTF.base section: not split BTF on a distilled base "
                "[relocate.no-distilled-base]");
  const btf::Relocation r = btf::relocate(***mod, *onto);
  if (!r.btf) {
    std::string out;
    if (args.has("--json")) {
      out = btf::findings_json(r.findings, file, *base_path);
    } else {
      for (const btf::RelocateFinding& f : r.findings) out += f.str() + "\n";
      out += file + ": " + std::to_string(r.findings.size()) + " type(s) cannot be relocated onto " +
             *base_path + " (" + std::to_string(r.mapped) + " distilled types matched)\n";
    }
    std::fputs(out.c_str(), stdout);
    return kExitFindings;
  }
  const auto bytes = r.btf->bytes();
  if (std::string err = btf::write_file(*args.value("-o"), bytes); !err.empty()) return fail(err);
  if (args.has("--json"))
    std::fputs(btf::findings_json({}, file, *base_path).c_str(), stdout);
  else
    std::fprintf(stderr, "btfcheck relocate: %s: %u distilled types matched in %s; %u split types "
                 "written to %s\n", file.c_str(), r.mapped, base_path->c_str(),
                 r.btf->own_count(), args.value("-o")->c_str());
  return kExitOk;
}

}  // namespace btfcheck::cli
