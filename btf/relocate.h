// Distilled bases and relocation: a module built for kernels >= 6.11 with pahole's
// `--btf_features=distilled_base` carries its BTF as split BTF (.BTF) on a small distilled
// base (.BTF.base) that stands for the vmlinux it was built against: named INT, FLOAT, FWD,
// sized ENUM (an ENUM64 too) and memberless STRUCT/UNION with their size. At module load the
// kernel relocates the split BTF onto the running vmlinux (btf_relocate(), libbpf's
// btf__relocate compiled into the kernel): each distilled type is mapped to a vmlinux type
// by name, kind and size, then the split's type ids and name offsets are rewritten, so the
// result is ordinary split BTF on vmlinux. If one distilled type cannot be mapped the module's
// BTF is rejected. relocate() does the same and reports every type that cannot be mapped,
// not only the first, each with a rule id:
//
//   distilled.kind       a distilled type of a kind the kernel does not accept there
//   distilled.anon       an anonymous distilled type
//   relocate.missing     no INT, FLOAT, ENUM, ENUM64, STRUCT, UNION or FWD of its name
//   relocate.kind        its name exists, but only as incompatible kinds (STRUCT vs UNION,
//                        INT vs FLOAT, another INT encoding, a FWD of the other flavour)
//   relocate.size        compatible types exist but none of the size the rules require
//   relocate.ambiguous   two types pass every rule (the kernel: "multiple candidates")
//   relocate.string      a split name offset into the distilled strings names no
//                        distilled type (the kernel: "is not mapped to base BTF", ENOENT)
//
// Matching, as in libbpf 1.8 (tools/lib/bpf/btf_relocate.c), for each named type of the
// full base in id order against every distilled type of the same name:
//   - INT, FLOAT, ENUM, ENUM64: the size must be equal; an INT also needs the same
//     encoding; a distilled ENUM matches an ENUM or an ENUM64.
//   - FWD (distilled): a FWD of the same flavour (kind_flag), a STRUCT for a struct FWD, a
//     UNION for a union FWD; no size.
//   - STRUCT/UNION: the same kind; the size only when the full base has several STRUCT or
//     UNION types of that name (counted by name offset, as the kernel does), or when the
//     split BTF embeds the distilled type by value (a member, through modifiers, typedefs
//     and arrays but not pointers).
//   - a full-base FWD matches a distilled FWD of either size; a distilled type matched by
//     two full-base types is ambiguous.
// Type ids: distilled ids to their match, split ids shifted by the difference of the two
// bases' type counts. Name offsets: those in the distilled strings to their match's name,
// split strings shifted by the difference of the two string sections' lengths. Nothing else
// changes: the record layout, header and string section stay as they are.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/error.h"

namespace btfcheck::btf {

// Why one distilled type (or one split name) cannot be relocated.
struct RelocateFinding {
  Error error;        // rule, message, file, section, byte offset and type id it is about
  std::string kind;   // the type's kind and name ("STRUCT", "sk_buff")
  std::string name;
  // "KIND 'name': " ("" when the finding is about no type).
  std::string label() const;
  // "KIND 'name': message [rule]", with the file, section and offset in front.
  std::string str() const;
};

// The rules of the kernel for a distilled base: every type is a named INT, FLOAT, ENUM,
// STRUCT, UNION or FWD (rules distilled.kind, distilled.anon). Empty when it is one.
std::vector<RelocateFinding> check_distilled_base(const Btf& base);

struct Relocation {
  std::shared_ptr<const Btf> btf;     // the split BTF on `onto`; null when there are findings
  std::vector<RelocateFinding> findings;
  std::vector<uint32_t> id_map;       // old id -> new id, for ids [0, split.type_count())
  uint32_t mapped = 0;                // distilled types mapped
};

// Relocates `split`, whose base is a distilled base, onto `onto` (a vmlinux's BTF). With
// findings, no BTF is produced (the kernel refuses the module's BTF). A `split` without a
// base, or on a base that is split itself, is a finding of rule relocate.no-distilled-base.
Relocation relocate(const Btf& split, std::shared_ptr<const Btf> onto);

// {"file","base","relocated","findings":[{"rule","type_id","kind","name","offset","message"}]}
std::string findings_json(const std::vector<RelocateFinding>& findings, const std::string& file,
                          const std::string& onto_file);

// The findings as one Error for commands that cannot go on: the first finding's rule,
// file, section, offset and type id, and how many more there are.
Error relocation_error(const std::vector<RelocateFinding>& findings, const std::string& onto_file);

}  // namespace btfcheck::btf
