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
// Defaults are what the newest kernel release known (releases.h) does for a user-loaded BTF
// (BPF_BTF_LOAD); options_for() (releases.h) gives the rules of any known release, on that
// path or on the vmlinux/module path (`--kernel-builtin`). Every check the kernel makes with
// sizeof(void *) uses the BTF's target (btf/target.h) unless Options::ptr_size says otherwise,
// and a BTF that contradicts its container's target is a violation (target.mismatch,
// target.endian).
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

// How DATASEC names are checked: btf_name_valid_section over the releases.
enum class SectionNames : uint8_t {
  IdentDot,       // up to 6.8: [A-Za-z_.][A-Za-z0-9_.]*
  PrintableTail,  // 6.9-6.10: every byte after the first printable; the first is not checked
  Printable,      // 6.11 on: every byte printable, at least one
};

struct Options {
  // The release these rules are ("6.18", "next"), for reports and messages. options_for()
  // sets it; the defaults below are the newest release's rules (a unit test holds them to
  // options_for(newest_kernel())).
  std::string kernel = "6.18";
  // Pass 2 (btf_check_all_types: sizes, member placement, loops, DATASEC layout, DECL_TAG
  // targets, FUNC/FUNC_PROTO checks). The kernel skips it for vmlinux and module BTF; on by
  // default because it is stricter.
  bool resolve = true;
  // BTF_MAX_SIZE for BPF_BTF_LOAD; 0 = no cap (vmlinux/module BTF has none).
  uint64_t max_size = 16u << 20;
  // btf_parse_type_sec's "Unaligned type_off" and "No type found"; the vmlinux/module path
  // calls btf_check_all_metas directly and skips them.
  bool type_section_checks = true;
  // btf_check_type_tags: modifier chains <= 32 (every release)...
  bool type_tags = true;
  // ...and type tags before every other modifier in a chain (up to 6.18; bpf-next drops it).
  bool type_tag_order = true;
  // sizeof(void *) of the target kernel: pointer members must fit, FLOAT alignment cap.
  // 0: the BTF's target (btf::Btf::target(): its ELF header, --target, or its long).
  uint32_t ptr_size = 0;
  // KSYM_NAME_LEN: longest accepted name (512 since Linux 6.1, 128 before).
  uint32_t ksym_name_len = 512;
  // Identifier syntax before Linux 6.4 (and 6.1.36): no '.', except in VAR names
  // (btf_var_check_meta always allowed it). Default (false): '.' allowed anywhere.
  bool legacy_names = false;
  // DATASEC name syntax.
  SectionNames section_names = SectionNames::Printable;
  // Kernels before 6.15 require kind_flag 0 on DECL_TAG and TYPE_TAG; newer ones use
  // kind_flag=1 for "arbitrary attribute" tags.
  bool strict_tag_kflag = false;
  // sizeof(struct btf_header): header bytes beyond it must be zero. 24 up to 6.18; 32 in
  // bpf-next, where layout_off/layout_len make the layout section a third section (it takes
  // part in the section tiling, and the string section need not be last when hdr_len >= 32).
  uint32_t header_size = btf::kHeaderSize;
  // btf_parse_layout_sec (bpf-next, BPF_BTF_LOAD only): the layout section's alignment and
  // length.
  bool layout_checks = false;
  // The info word: Classic (reserved bits must be zero: BTF_INFO_MASK 0x9f00ffff) or Wide
  // (bpf-next: vlen 24 bits, kind 7 bits, no reserved bits). verify_bytes parses with it.
  btf::InfoFormat info = btf::InfoFormat::Classic;
  // Modules may carry their BTF on a distilled .BTF.base (6.11 on); before, such a module's
  // BTF cannot load (check_distilled_base).
  bool distilled_base = true;
  // MAX_RESOLVE_DEPTH.
  uint32_t max_resolve_depth = 32;

  // The vmlinux/module path (`btfcheck verify --kernel-builtin`) of the newest release.
  static Options kernel_builtin() { return as_builtin(Options{}); }
  // The same release's vmlinux/module path (btf_parse_base / btf_parse_module): no resolve
  // pass, no size cap, no type-section or layout checks.
  static Options as_builtin(Options o) {
    o.resolve = false;
    o.max_size = 0;
    o.type_section_checks = false;
    o.layout_checks = false;
    return o;
  }
  bool builtin() const { return !resolve; }
};

struct Report {
  std::vector<Violation> violations;
  uint32_t types = 0;      // own types checked
  std::string kernel;      // the release judged (Options::kernel)
  bool builtin = false;    // judged on the vmlinux/module path
  std::optional<btf::Target> target;   // the BTF's target; none when it did not parse
  bool valid() const { return violations.empty(); }
};

// Verifies a parsed blob. Never throws, never crashes, on any parsed input.
Report verify(const btf::Btf& btf, const Options& opts = {});

// Framing errors (Btf::parse stops there) as violations; any Error converts the same way.
Violation from_parse_error(const Error& e);

// The report order: by (offset, rule, type id, member, message). verify() returns sorted
// reports; callers that add violations of their own re-sort with this.
void sort_violations(std::vector<Violation>& v);

// Btf::parse (with opts.info) + verify; a framing error becomes the report's only
// violation.
Report verify_bytes(std::vector<uint8_t> blob, btf::ParseOptions parse_opts,
                    const Options& opts = {});

// A module whose .BTF is split on a distilled .BTF.base (pahole's distilled_base): a
// "base.distilled" violation when the release predates distilled bases (opts.distilled_base
// false), nothing otherwise. Callers that read such a module add it to its report.
std::optional<Violation> check_distilled_base(const Options& opts);

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
// then `FILE: N violation(s) in M types` or `FILE: OK, M types`, followed by what was
// judged: `; Linux 6.18 (BPF_BTF_LOAD), 64-bit little-endian target (x86_64, from the ELF
// header)`. json: one object
//   {"file","section","types","valid","kernel","load","target",
//    "violations":[{rule,type_id,kind,name,offset,member,message}]}
// ("load": "user" or "builtin"; "target": btf::target_json or null).
// `label` prefixes the summary line instead of the file when non-empty (archive members).
std::string format_text(const Report& r, std::string_view file, std::string_view section,
                        std::string_view label = {});
std::string format_json(const Report& r, std::string_view file, std::string_view section);

}  // namespace btfcheck::verify
