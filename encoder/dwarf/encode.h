// DWARF -> BTF encoder (`btfcheck encode dwarf`): reads an ELF's DWARF with libdw, writes
// BTF with libbpf (btf__add_*, btf__dedup), raw or as the .BTF section of an ELF copy.
// Parallel (-j N) and byte-reproducible by construction: the output depends on the input
// and the options only, never on N or on thread scheduling.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "btf/error.h"

namespace btfcheck::encode {

// Whose output the encoder reproduces. None: btfcheck's own choices (pahole 1.24's types,
// FUNCs by address). Pahole124: pahole 1.24 exactly. PaholeMaster: pahole master with its
// libbpf 1.8 (v1.31-38): its default features, its function checks, a 32-byte header.
enum class Compat : uint8_t { None, Pahole124, PaholeMaster };
// "pahole-1.24" / "pahole-master" / "none"; anything else is an error (usage.compat).
Result<Compat> parse_compat(const std::string& name);
const char* compat_name(Compat c);

// Feature set, named after pahole's --btf_features. Defaults = what Linux 6.1 asks of
// pahole 1.24 (`--btf_gen_floats -j --lang_exclude=rust`); under --compat=pahole-master,
// pahole master's default set.
struct Features {
  bool var = true;               // per-CPU VARs + .data..percpu DATASEC
  bool float_kind = true;        // FLOAT (off: floats as INT, as pahole without floats)
  bool decl_tag = true;          // DECL_TAG from btf_decl_tag annotations
  bool type_tag = true;          // TYPE_TAG from btf_type_tag annotations
  bool enum64 = true;            // ENUM64 for 8-byte enums (off: ENUM, values truncated)
  bool global_var = false;       // VARs for every global variable, one DATASEC per section
  bool consistent_func = false;  // skip functions whose prototypes differ across CUs
  bool optimized_func = false;   // accept `foo.isra.0`-style ELF symbols for `foo`
  // The FUNC's prototype comes from the subprogram at the symbol's address when there is
  // one (pahole after faaa3f1); off: from the first CU that defines the name (pahole 1.24).
  bool func_by_address = true;
  bool unambiguous_func = false;  // skip names with several symbol addresses (pahole 1.31)
  bool param_regs = false;        // skip functions whose parameters are not where the
                                  // x86-64 calling convention puts them at entry (pahole 1.25)
  bool decl_tag_kfuncs = false;   // DECL_TAG "bpf_kfunc" (+ "bpf_fastcall") on the kfuncs
                                  // of .BTF_ids' kfunc sets (pahole 1.27, 1.28)
  bool layout = false;            // 32-byte header and a layout section (libbpf 1.8)
  bool distilled_base = false;    // split BTF on a distilled base (.BTF + .BTF.base; --elf)
  bool attributes = false;        // kfuncs' arena pointers: TYPE_TAG (kind_flag 1)
                                  // "address_space(1)" (pahole 1.30, with decl_tag_kfuncs)
  bool true_signature = false;    // pahole master's: a gcc clone's FUNC under its ELF name
                                  // (`foo.isra.0`), clang DW_CC_nocall parameters as passed;
                                  // --compat=pahole-master only (true_sig.cc)
};

// The features a mode starts from (no --features).
Features default_features(Compat c);
// Parses pahole's --btf_features syntax against the mode's defaults: "default" (pahole
// master's nine-feature set), "+a,b" (the mode's defaults plus a and b), "a,b" (pahole's
// features off but those listed), "-a" (the mode's defaults without a), "all". btfcheck's
// own choices (func_by_address, unambiguous_func, param_regs) keep the mode's setting
// unless named. Unknown names, and true_signature outside --compat=pahole-master ("all"
// leaves it off there), are an error (rule "usage.feature").
Result<Features> parse_features(const std::string& list, Compat c = Compat::None);
// "var,float,..." for the features that are on (for logs and cache keys).
std::string features_str(const Features& f);

struct Options {
  unsigned jobs = 1;               // worker threads (0 = hardware concurrency)
  Compat compat = Compat::None;
  Features features;               // default_features(compat) unless --features
  std::string base_path;           // base BTF (raw or ELF .BTF) -> split BTF
  bool exclude_rust = false;       // --lang-exclude=rust
  bool explain = false;            // collect "NAME: skipped: REASON" lines
  uint64_t batch_bytes = 0;        // DWARF bytes per batch (0 = default; tests use 1)
  // Called on the calling thread each time a batch has been merged (done of total), for
  // progress display; never affects the output.
  std::function<void(size_t done, size_t total)> progress;
};

struct Output {
  std::string btf;                     // raw BTF bytes
  std::string btf_base;                // distilled_base: the .BTF.base section (btf is split on it)
  std::vector<std::string> explain;    // deterministic order (input order)
  uint32_t cus = 0, cus_skipped = 0, batches = 0;
  uint32_t funcs = 0, vars = 0;
  std::string timing;  // where the time went, one line per phase
  // Function entry offsets used by func_by_address and how they were learned (--stats).
  std::string entries;
};

// Encodes the DWARF of `elf_path`. Errors name the file (rule "encode.*").
Result<Output> encode_dwarf(const std::string& elf_path, const Options& opts);

// A copy of `elf_path` with its .BTF section replaced (or added) by `btf`, and with
// `btf_base` (when not empty) as its .BTF.base section, as bytes.
Result<std::string> elf_with_btf(const std::string& elf_path, const std::string& btf,
                                 const std::string& btf_base = {});

}  // namespace btfcheck::encode
