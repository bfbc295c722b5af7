// libbpf load-time BTF fixups (`--fixup=libbpf`).
//
// Compilers leave object BTF that the kernel rejects as-is and that libbpf patches before
// BPF_BTF_LOAD, from the ELF section headers and symbol table: DATASEC sizes and VAR
// offsets left 0 by clang, EXTERN linkage of .kconfig/.ksyms externs, extern functions in
// .ksyms, hidden globals. apply_libbpf() reproduces what Debian's libbpf 1.1 does to an
// object's .BTF between bpf_object__open() and the BTF load of bpf_object__load() on a
// kernel that supports every BTF kind (so bpf_object__sanitize_btf() changes nothing).
// fixup.cc's design comment maps every step to the libbpf function it mirrors.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "btf/error.h"

namespace btfcheck::fixup {

struct Report {
  // One line per change made, e.g. "DATASEC '.data' [5]: size 0 -> 16 (ELF section size)".
  std::vector<std::string> actions;
  // Observations that are not changes (e.g. "x86-64 object: libbpf would refuse to open it").
  std::vector<std::string> notes;
};

enum class Stage {
  Open,   // what bpf_object__open() leaves in bpf_object__btf() (collect_externs + fixup_btf)
  Load,   // plus bpf_object__sanitize_and_load_btf(): hidden global subprogs -> static FUNC
};

struct Options {
  Stage stage = Stage::Load;
};

// Applies the fixups to `btf_bytes` (the object's .BTF section; either byte order) using the
// ELF object at `elf_path`. Returns a BTF blob in the input's byte order. Errors name the
// ELF path, the section (ELF or DATASEC name), the BTF type id and a "fixup.*" rule; they
// are the cases where libbpf itself refuses to open or load the object (missing symbol
// table, extern without BTF or in an unknown section, VAR without an ELF symbol, ...).
Result<std::vector<uint8_t>> apply_libbpf(const std::string& elf_path,
                                          std::span<const uint8_t> btf_bytes,
                                          Report* report = nullptr);
Result<std::vector<uint8_t>> apply_libbpf(const std::string& elf_path,
                                          std::span<const uint8_t> btf_bytes,
                                          const Options& options, Report* report = nullptr);

}  // namespace btfcheck::fixup
