// Producers: named, versioned recipes that turn an input into BTF.
//
//   clang-N    clang-N -target bpf -g -O2 -c (every clang-N on PATH, and plain `clang`)
//   gcc        gcc -gbtf -O2 -c (host target)
//   bpf-gcc    bpf-gcc -gbtf -O2 -c
//   pahole     gcc -g -O2 -c, then pahole FLAGS --btf_encode_detached (any pahole binary)
//   btfcheck   gcc -g -O2 -c, then btfcheck encode dwarf [-j N]
//   archive-libbpf    gcc -g -O2 -c and pahole -J per unit, ld -r, then btfcheck encode archive
//   archive-btfcheck  the same archive merged by encode archive --dedup=canonical
//   embedded   the .BTF already in an ELF input
//
// An input is a C case (one or more sources; several are linked with ld -r, so compilers
// leave a BTF archive) or an ELF with DWARF (vmlinux, a module on a base, an object).
// Compilers apply to C inputs only, `embedded` to ELF inputs only. A producer whose tool
// is missing, or that does not apply, is a clean skip with the reason.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "btf/error.h"
#include "encoder/producers/spawn.h"

namespace btfcheck::producers {

struct Input {
  std::string name;                    // case name, or the file's name
  std::vector<std::string> sources;    // C sources, or
  std::string elf;                     // an ELF carrying DWARF and/or .BTF
  std::string base;                    // split BTF base for ELF inputs (modules)
  std::vector<std::string> producers;  // manifest: producer families that apply ([] = all)
  std::map<std::string, std::string> not_applicable;   // family -> reason (manifest)
  std::string feature;                 // manifest one-liner
};

struct Producer {
  std::string name;      // "clang-14", "gcc", "bpf-gcc", "pahole", "btfcheck", ...
  std::string family;    // "clang", "gcc", "bpf-gcc", "pahole", "btfcheck", "archive", "embedded"
  std::string tool;      // absolute path of the tool that makes the BTF
  std::string version;   // its version line
  std::string missing;   // why it cannot run here; "" when available
  bool takes_jobs = false;
};

struct Config {
  std::string self;                     // this btfcheck binary
  std::string pahole = "pahole";        // --pahole PATH
  std::vector<std::string> pahole_flags{"--btf_gen_floats", "--lang_exclude=rust"};
  std::string gcc = "gcc", bpf_gcc = "bpf-gcc";
  std::vector<std::string> btfcheck_flags;   // extra `encode dwarf` options (e.g. --features=...)
};

// Every known producer, available or not, in a fixed order: clang-N ascending (then plain
// clang when it is not one of those), gcc, bpf-gcc, pahole, btfcheck, archive-libbpf,
// archive-btfcheck, embedded.
std::vector<Producer> detect(const Config& cfg);

// By name; Error rule "usage.producer" lists the known names.
Result<Producer> lookup(const std::vector<Producer>& all, const std::string& name);

struct Step {
  std::string role;   // "prepare" (host compile, per-object pahole, link) or "produce"
  ProcResult proc;
};

struct Output {
  std::string skipped;     // non-empty: a clean skip, with the reason
  std::string btf_path;    // the result, in the work directory: raw .btf, or an object/ELF with .BTF
  std::vector<Step> steps;
  double wall_s = 0, cpu_s = 0;   // the "produce" steps only
  long peak_rss_kb = 0;           // max over the "produce" steps
};

// Runs `p` on `in` in `workdir` (created): the input's files are staged there under plain
// names (stage.h) and every step runs there on those names, so no name of the user's reaches
// a tool. `jobs` > 0 passes -jN to producers that take it. A failing step is an Error (rule
// "producer.failed") naming the input, the command and its stderr.
Result<Output> produce(const Producer& p, const Input& in, const Config& cfg,
                       const std::string& workdir, int jobs = 0);

// Corpus cases from DIR/manifest.json (sources relative to DIR).
Result<std::vector<Input>> corpus(const std::string& corpora_dir);

// A corpus case name, a C file (the user's own case), or an ELF path (with optional base).
Result<Input> resolve_input(const std::string& spec, const std::string& corpora_dir,
                            const std::string& base = "");

}  // namespace btfcheck::producers
