// Target: the machine a BTF describes, as far as BTF readers care: the pointer size (the
// kernel's sizeof(void *), which verify uses for PTR members, DATASEC entries and FLOAT
// alignment; libbpf's btf__pointer_size for the C dump) and the byte order.
//
// Where it comes from, in this order of authority:
//   elf     the ELF header of the file the BTF was read from: EI_CLASS gives 4 or 8,
//           EI_DATA the byte order, e_machine the architecture's name;
//   option  `--target` for raw BTF (32le, 64be, or an architecture: i386, x86_64, arm64...);
//   btf     the BTF itself: the size of its `long` (libbpf's determine_ptr_size: the first
//           INT of size 4 or 8 named long, long int, unsigned long, ... as every kernel BTF
//           and every C program's BTF that uses long has one), the byte order of its magic;
//   assumed none of these: 8 bytes, the blob's byte order (and said so).
// A split BTF without a target of its own takes its base's.
//
// A BTF can contradict its container: an ELFCLASS32 file whose BTF has an 8-byte long, or
// a big-endian .BTF in a little-endian ELF. target_conflicts() names them (rules
// target.mismatch and target.endian): verify reports them as violations, the other
// commands warn.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "btf/bytes.h"
#include "btf/error.h"

namespace btfcheck::btf {

class Btf;

enum class TargetFrom : uint8_t { Assumed, Btf, Option, Elf };

struct Target {
  uint32_t ptr_size = 8;           // 4 or 8
  Endian endian = Endian::Little;
  TargetFrom from = TargetFrom::Assumed;
  std::string arch;                // "x86_64", "i386", "arm64", ...; "" when unknown

  // The pointer size is known (not assumed).
  bool known() const { return from != TargetFrom::Assumed; }
};

// `--target SPEC`: "32le", "32be", "64le", "64be", or an architecture name (i386, x86_64,
// arm64, arm, s390x, ppc64le, riscv64, ...). nullopt for anything else.
std::optional<Target> parse_target(std::string_view spec);
// The spellings parse_target knows, for --help and error messages.
std::string target_spellings();

// The target an ELF header gives (EI_CLASS, EI_DATA, e_machine); nullopt when the class or
// data encoding is not a valid one.
std::optional<Target> elf_target(uint8_t ei_class, uint8_t ei_data, uint16_t e_machine);

// sizeof(long) as `btf` (or its base) declares it: 4, 8, or 0 when it has no such INT.
uint32_t long_size(const Btf& btf);

// "64le"
std::string target_spec(const Target& t);
// "elf", "option", "btf", "assumed"
std::string_view target_from_name(TargetFrom f);
// "64-bit little-endian (x86_64, from the ELF header)"
std::string describe(const Target& t);
// {"pointer_size":8,"byte_order":"little","arch":"x86_64","from":"elf"}
std::string target_json(const Target& t);

// Two targets that cannot be compared as the same machine: both pointer sizes known and
// different, or different byte orders. "" when they agree; otherwise why not.
std::string target_difference(const Target& a, const Target& b);

// Where `btf` contradicts the target it was given (from its ELF or --target): an Error per
// contradiction, rule "target.mismatch" (its long is not the target's pointer size) or
// "target.endian" (its byte order is not the target's). Empty when it agrees or when the
// target came from the BTF itself.
std::vector<Error> target_conflicts(const Btf& btf);

}  // namespace btfcheck::btf
