// btfcheck::verify — a user-space implementation of the Linux kernel's BTF verifier
// (kernel/bpf/btf.c: btf_parse_hdr, btf_check_sec_info, btf_parse_str_sec,
// btf_check_all_metas, btf_check_all_types, btf_check_type_tags).
//
// The kernel stops at the first problem; verify() reports every violation it finds, each with
// a stable rule id (see rule_table()), the type id, kind and name, the byte offset of the
// offending field in the blob, the member/param/enumerator/secinfo index, and a message close
// to the kernel's wording. Violations come out sorted by (offset, rule, type id, member,
// message), so the same input always gives the same report.
//
// Defaults are what the newest kernel does for a user-loaded BTF (BPF_BTF_LOAD); Options
// switches to the vmlinux/module path (`--kernel-builtin`) or to older kernels' rules.
// For split BTF only the split's own types are checked; the base is assumed verified (verify
// it separately), but its types take part in lookups, sizes and loop detection.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "btf/btf.h"
#include "btf/error.h"

namespace btfcheck::verify {

struct Violation {
  std::string rule;        // stable id, e.g. "hdr.flags", "struct.member-offset"
  uint32_t type_id = 0;    // 0 when not about a type
  std::string kind;        // "STRUCT", "" for header rules
  std::string name;        // type name if any
  uint64_t offset = 0;     // byte offset in the blob of the offending field
  std::optional<uint32_t> member;  // member/param/enumerator/secinfo index
  std::string message;     // close to the kernel's wording
};

struct Options {
  // Pass 2 (btf_check_all_types: sizes, member placement, loops, DATASEC layout, DECL_TAG
  // targets, FUNC/FUNC_PROTO checks). The kernel skips it for vmlinux and module BTF; on by
  // default because it is stricter.
  bool resolve = true;
  // BTF_MAX_SIZE for BPF_BTF_LOAD; 0 = no cap (vmlinux/module BTF has none).
  uint64_t max_size = 16u << 20;
  // btf_parse_type_sec's "Unaligned type_off" and "No type found"; the vmlinux/module path
  // calls btf_check_all_metas directly and skips them.
  bool type_section_checks = true;
  // btf_check_type_tags: type tags must precede other modifiers, chains <= 32.
  bool type_tags = true;
  // sizeof(void *) of the target kernel: pointer members must fit, FLOAT alignment cap.
  uint32_t ptr_size = 8;
  // KSYM_NAME_LEN: longest accepted name (512 since Linux 6.1, 128 before).
  uint32_t ksym_name_len = 512;
  // Name syntax before the relaxations (Linux < 6.5): identifiers without '.', DATASEC names
  // of [A-Za-z0-9_.] only. Default (false): '.' allowed in identifiers, any printable
  // character in DATASEC names.
  bool legacy_names = false;
  // Older kernels (before 2025) require kind_flag 0 on DECL_TAG and TYPE_TAG; newer ones use
  // kind_flag=1 for "arbitrary attribute" tags.
  bool strict_tag_kflag = false;
  // MAX_RESOLVE_DEPTH.
  uint32_t max_resolve_depth = 32;

  // The vmlinux/module path (`btfcheck verify --kernel-builtin`).
  static Options kernel_builtin() {
    Options o;
    o.resolve = false;
    o.max_size = 0;
    o.type_section_checks = false;
    return o;
  }
};

struct Report {
  std::vector<Violation> violations;
  uint32_t types = 0;      // own types checked
  bool valid() const { return violations.empty(); }
};

// Verifies a parsed blob. Never throws, never crashes, on any parsed input.
Report verify(const btf::Btf& btf, const Options& opts = {});

// Framing errors (Btf::parse stops there) as violations; any Error converts the same way.
Violation from_parse_error(const Error& e);

// The report order: by (offset, rule, type id, member, message). verify() returns sorted
// reports; callers that add violations of their own re-sort with this.
void sort_violations(std::vector<Violation>& v);

// Btf::parse + verify; a framing error becomes the report's only violation.
Report verify_bytes(std::vector<uint8_t> blob, btf::ParseOptions parse_opts,
                    const Options& opts = {});

// Every rule id with the kernel's message and one line of explanation.
struct RuleInfo {
  std::string_view id;
  std::string_view kernel_message;  // "" when the kernel has none (e.g. a silent -E2BIG)
  std::string_view summary;
};
std::span<const RuleInfo> rules();
const RuleInfo* find_rule(std::string_view id);
// id + one line, for --help and the README.
std::string rule_table();

// Reporters for one verified blob. text: one line per violation
//   FILE: SECTION+0xOFF: type [ID] KIND 'name' member N: message [rule]
// then `FILE: N violation(s) in M types` or `FILE: OK, M types`. json: one object
//   {"file","section","types","valid","violations":[{rule,type_id,kind,name,offset,member,message}]}
// `label` prefixes the summary line instead of the file when non-empty (archive members).
std::string format_text(const Report& r, std::string_view file, std::string_view section,
                        std::string_view label = {});
std::string format_json(const Report& r, std::string_view file, std::string_view section);

}  // namespace btfcheck::verify
