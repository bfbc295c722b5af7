// btfcheck: one binary, many subcommands.
#include <malloc.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/version.h"

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
    {"relocate", btfcheck::cli::cmd_relocate, "a module's BTF from its distilled .BTF.base onto a vmlinux"},
    {"size", btfcheck::cli::cmd_size, "bytes of a BTF by kind and name family, and the delta to another"},
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
               "\n'btfcheck COMMAND --help' describes one command; 'btfcheck --version' prints\n"
               "the version and the git commit this binary was built from.\n"
               "exit codes: 0 clean/equal/pass, 1 findings, 2 could not run\n");
}

// Transparent huge pages for malloc's heaps (glibc >= 2.35's tunable glibc.malloc.hugetlb=1,
// which only takes effect at startup): btfcheck re-executes itself once with it set, then
// restores the caller's GLIBC_TUNABLES so the producers it runs (pahole, compilers) see
// the environment they were given. On the cloud vmlinux this takes `encode dwarf -j2` from
// 33k page faults to 4k. BTFCHECK_NO_THP=1 (or any failure to re-execute) runs without it.
constexpr const char* kReexecMark = "BTFCHECK_REEXEC_TUNABLES";

// Commands that build graphs or encode: the others (verify, dump, report, gate, help) read
// one BTF and are done long before huge pages pay for an extra exec.
bool builds_large_tables(const char* cmd) {
  for (const char* c : {"encode", "canon", "digest", "diff", "dups", "repro", "bisect", "matrix"})
    if (std::strcmp(cmd, c) == 0) return true;
  return false;
}

void reexec_with_thp(int argc, char** argv) {
  if (const char* saved = std::getenv(kReexecMark)) {   // the re-executed process
    if (*saved) setenv("GLIBC_TUNABLES", saved + 1, 1);   // "=" + the caller's value
    else unsetenv("GLIBC_TUNABLES");
    unsetenv(kReexecMark);
    return;
  }
  if (argc < 2 || !builds_large_tables(argv[1])) return;
  const char* no = std::getenv("BTFCHECK_NO_THP");
  if (no && *no && std::strcmp(no, "0") != 0) return;
  const char* old = std::getenv("GLIBC_TUNABLES");
  if (old && std::strstr(old, "glibc.malloc.hugetlb")) return;   // the caller chose
  const std::string prev = old ? std::string("=") + old : std::string();
  const std::string tunables = std::string(old && *old ? std::string(old) + ":" : "") + "glibc.malloc.hugetlb=1";
  if (setenv(kReexecMark, prev.c_str(), 1) != 0 || setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Not re-executed: run as we are, with the caller's environment.
  if (old) setenv("GLIBC_TUNABLES", old, 1);
  else unsetenv("GLIBC_TUNABLES");
  unsetenv(kReexecMark);
}

// glibc's malloc, tuned for a batch process that builds and frees large tables (libdw's
// and libbpf's included): freed memory is kept for reuse instead of being returned to the
// kernel and faulted in again, page by page, by the next batch. Encoding the cloud vmlinux
// takes 34k page faults instead of 77k (2.1 s instead of 2.7 s at -j2); the peak RSS is
// the same, and so is every output byte.
void tune_malloc() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);   // glibc's maximum: blocks below it come from the heap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);    // never give the heap's top back mid-run
  mallopt(M_TOP_PAD, 64 << 20);          // grow the heap in 64 MB steps (untouched until used)
}

}  // namespace

int main(int argc, char** argv) {
  reexec_with_thp(argc, argv);
  tune_malloc();
  if (argc < 2) {
    usage(stderr);
    return btfcheck::cli::kExitError;
  }
  std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    usage(stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("%s\n", btfcheck::cli::version_line());
    return 0;
  }
  for (const Command& c : kCommands) {
    if (cmd == c.name) return c.run(btfcheck::cli::Argv(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "btfcheck: unknown command '%s'\n", cmd.c_str());
  usage(stderr);
  return btfcheck::cli::kExitError;
}
