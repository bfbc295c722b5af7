// btfcheck: one binary, many subcommands.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(const btfcheck::cli::Argv&);
  const char* summary;
};

constexpr Command kCommands[] = {
    {"verify", btfcheck::cli::cmd_verify, "check BTF against the kernel verifier's rules"},
    {"dump", btfcheck::cli::cmd_dump, "print BTF as bpftool does (raw), as JSON, or as C"},
    {"canon", btfcheck::cli::cmd_canon, "print the canonical, ID-free text form of a BTF"},
    {"digest", btfcheck::cli::cmd_digest, "digest of the canonical graph (and per type)"},
    {"diff", btfcheck::cli::cmd_diff, "structural diff of two BTFs"},
    {"dups", btfcheck::cli::cmd_dups, "types deduplication left as copies or same-named families"},
    {"encode", btfcheck::cli::cmd_encode, "produce BTF: DWARF to BTF (encode dwarf), archive merge (encode archive)"},
    {"repro", btfcheck::cli::cmd_repro, "is a producer reproducible across -j and runs? (bytes, then graphs)"},
    {"bisect", btfcheck::cli::cmd_bisect, "first producer in an ordered list whose BTF for a case changed"},
    {"matrix", btfcheck::cli::cmd_matrix, "every producer on every case: verify, measure, diff (results JSON)"},
    {"report", btfcheck::cli::cmd_report, "HTML/markdown/JSON report of matrix results, with trends"},
    {"gate", btfcheck::cli::cmd_gate, "pass/fail a matrix run against a committed baseline (CI gate)"},
};

void usage(FILE* out) {
  std::fprintf(out,
               "usage: btfcheck COMMAND [ARGS]\n\n"
               "BTF verification and diff harness.\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\n'btfcheck COMMAND --help' describes one command.\n"
               "exit codes: 0 clean/equal/pass, 1 findings, 2 could not run\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return btfcheck::cli::kExitError;
  }
  std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    usage(stdout);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (cmd == c.name) return c.run(btfcheck::cli::Argv(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "btfcheck: unknown command '%s'\n", cmd.c_str());
  usage(stderr);
  return btfcheck::cli::kExitError;
}
