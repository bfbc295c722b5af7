// btfcheck size A [B]: where the bytes of a BTF go, by kind and name family, and the delta.
#include <cstdio>
#include <cstdlib>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "comparator/size/size.h"

namespace btfcheck::cli {

int cmd_size(const Argv& argv) {
  const std::vector<OptionSpec> specs = {
      {"--base", true, "base BTF for split inputs (only their own bytes are counted)", "B"},
      {"--by", true, "kind, family or both (default)", "WHAT"},
      {"--top", true, "rows per text table before the rest is summed (default 20)", "N"},
      {"--json", false, "JSON: {\"total\", \"families\", \"kinds\"} with a, b, delta per row"},
      {"-o", true, "write to FILE (atomically) instead of stdout", "FILE"},
  };
  Args args(argv, specs);
  if (auto rc = help_or_error(
          args, "size", "A [B] [--base B0] [--by kind|family|both] [--top N] [--json] [-o OUT]",
          "Charge every byte of a BTF to one kind and one name family (the header, each type\n"
          "record to the named type that introduced it, each string to its first user), and\n"
          "with B show each line's bytes in A and B and the delta. Deltas add up to the total\n"
          "delta, which is the difference of the two blobs' sizes.",
          specs,
          "families: per-CPU variables, tracepoints (__tracepoint_*), static calls\n"
          "(__SCK__*, __SCT__*), __UNIQUE_ID_*, __ksymtab*, __initcall*, variables PREFIX*,\n"
          "bpf_* kfunc tags, types PREFIX* (struct/union/enum/typedef by the name's first\n"
          "component: sk_*, tcp_*), functions PREFIX*, base types, sections (DATASEC),\n"
          "header, unreachable anonymous types, unreferenced strings, other sections and\n"
          "padding, other.\n"))
    return *rc;
  auto fail = [](const std::string& msg) {
    std::fprintf(stderr, "btfcheck size: %s\n", msg.c_str());
    return kExitError;
  };
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
