// The rule table: every rule id the verifier (and the framing checks it reports) can emit,
// with the kernel's message and one line of explanation. Ids are stable: tools and tests
// match on them. "(framing)" rules come from Btf::parse / split_archive via
// from_parse_error(); they stop verification of that blob.
#include <algorithm>
#include <iterator>

#include "comparator/verify/verify.h"

namespace btfcheck::verify {
namespace {

constexpr RuleInfo kRules[] = {
    // Framing (the parser stops there).
    {"hdr.truncated", "hdr_len not found", "(framing) blob shorter than magic/version/flags/hdr_len"},
    {"hdr.magic", "Invalid magic", "(framing) magic is not 0xEB9F in either byte order"},
    {"hdr.len", "btf_header not found", "(framing) hdr_len exceeds the blob size"},
    {"sec.past-end", "Total section length too long", "(framing) a section (types, strings, or a 32-byte header's layout) runs past the end of the blob"},
    {"type.truncated", "meta_left:N meta_needed:M", "(framing) a type record is cut off by the end of the type section"},
    {"type.kind-unknown", "Invalid kind:N", "(framing) kind 0 or above BTF_KIND_MAX (5 bits, 7 in bpf-next); its record length is unknown"},
    {"type.too-many", "", "(framing) type ids would exceed 2^32-1"},
    {"archive.multiple", "Unsupported section found", "several concatenated BTF blobs checked as one (use --archive)"},
    {"archive.trailing", "", "(framing) bytes after an archive member are neither padding nor a BTF header"},
    // Target (btf/target.h): the BTF against its container or --target.
    {"target.mismatch", "", "the BTF's long is not the pointer size of its ELF class (or --target)"},
    {"target.endian", "", "the BTF's byte order is not its ELF's (or --target's)"},
    // Header and sections.
    {"blob.size", "", "blob larger than BTF_MAX_SIZE (16 MiB): BPF_BTF_LOAD fails with E2BIG"},
    {"hdr.short", "", "hdr_len shorter than struct btf_header (24); missing fields read as 0"},
    {"hdr.unsupported", "Unsupported btf_header", "header bytes beyond struct btf_header (24 bytes; 32 in bpf-next) must be zero"},
    {"hdr.version", "Unsupported version", "version must be 1"},
    {"hdr.flags", "Unsupported flags", "flags must be 0"},
    {"hdr.no-data", "No data", "base BTF with nothing after the header"},
    {"sec.gap", "Unsupported section found", "unclaimed bytes between the header and/or sections"},
    {"sec.overlap", "Section overlap found", "a section starts inside the previous one"},
    {"sec.trailing", "Unsupported section found", "bytes after the last section"},
    {"sec.str-not-last", "String section is not at the end", "the string section must end the blob (bpf-next: unless hdr_len >= 32)"},
    {"sec.type-align", "Unaligned type_off", "type_off must be 4-byte aligned"},
    {"sec.no-types", "No type found", "base BTF with an empty type section"},
    // Layout section (a 32-byte header's; layout.cc).
    {"layout.align", "Unaligned layout_off", "bpf-next BPF_BTF_LOAD: layout_off must be 4-byte aligned"},
    {"layout.too-small", "Layout section is too small", "bpf-next BPF_BTF_LOAD: layout_len below one struct btf_layout (4 bytes)"},
    {"layout.len-multiple", "layout_len is not multiple of 4", "bpf-next BPF_BTF_LOAD: layout_len must be a multiple of 4"},
    {"layout.entry", "", "(btfcheck) a known kind's layout entry does not give its record sizes (the kernel never reads entries; libbpf does for unknown kinds)"},
    {"base.distilled", "", "a module's BTF split on a distilled .BTF.base, for a release before 6.11"},
    // Distilled base and relocation (btf/relocate.h): .BTF.base, and --base VMLINUX.
    {"distilled.kind", "has unexpected kind", "a .BTF.base type that is not INT, FLOAT, ENUM, STRUCT, UNION or FWD"},
    {"distilled.anon", "is invalid for distilled base BTF; it is anonymous", "an anonymous .BTF.base type"},
    {"relocate.missing", "is not mapped to base BTF id", "--base: no type of a distilled type's name in the base"},
    {"relocate.kind", "is not mapped to base BTF id", "--base: the name exists only as another kind (STRUCT vs UNION, INT encoding, FWD flavour)"},
    {"relocate.size", "is not mapped to base BTF id", "--base: the name exists, but not with the size the module needs"},
    {"relocate.ambiguous", "has multiple candidates of the same size", "--base: two base types match a distilled type"},
    {"relocate.string", "is not mapped to base BTF", "--base: a name offset into .BTF.base's strings names no distilled type"},
    // Strings.
    {"str.empty", "Invalid string section", "base BTF with an empty string section"},
    {"str.last-not-nul", "Invalid string section", "the string section's last byte is not NUL"},
    {"str.too-long", "Invalid string section", "string section longer than BTF_MAX_NAME_OFFSET+1"},
    {"str.first-not-nul", "Invalid string section", "base BTF strings must start with the empty string"},
    // Records (pass 1).
    {"type.count", "Exceeded max num of types", "type ids must stay below BTF_MAX_TYPE (0xfffff)"},
    {"type.info-reserved", "Invalid btf_info:X", "reserved bits of the info word are set (none are reserved in bpf-next)"},
    {"type.vlen", "vlen != 0", "vlen must be 0 for this kind"},
    {"type.kflag", "Invalid btf_info kind_flag", "kind_flag must be 0 for this kind"},
    {"name.offset", "Invalid name_offset:N", "a name offset points outside the string data"},
    {"name.required", "Invalid name", "a name is required (TYPEDEF, FWD, FUNC, VAR, DATASEC, enumerators, TYPE_TAG)"},
    {"name.forbidden", "Invalid name", "PTR, CONST, VOLATILE, RESTRICT, ARRAY and FUNC_PROTO must be anonymous"},
    {"name.invalid", "Invalid name", "not a valid C identifier (or DATASEC section name)"},
    {"ref.void", "Invalid type_id", "a reference that must not be void is 0 (member, VAR, ARRAY, DATASEC entry)"},
    {"ref.range", "Invalid type_id", "a type id above BTF_MAX_TYPE"},
    {"int.reserved", "Invalid int_data:X", "the top 4 bits of the INT data word are set"},
    {"int.bits", "nr_bits exceeds 128", "INT bits + bit offset above 128"},
    {"int.size", "nr_bits exceeds type_size", "INT bits + bit offset do not fit in its size"},
    {"int.encoding", "Unsupported encoding", "INT encoding other than none, SIGNED, CHAR or BOOL"},
    {"array.size", "size != 0", "ARRAY size field must be 0"},
    {"struct.union-offset", "Invalid member bits_offset", "UNION member at a non-zero bit offset"},
    {"struct.member-order", "Invalid member bits_offset", "STRUCT member offsets must not decrease"},
    {"struct.member-offset", "Member bits_offset exceeds its struct size", "member offset beyond the struct size"},
    {"enum.size", "Unexpected size", "ENUM/ENUM64 size must be 1, 2, 4 or 8"},
    {"fwd.type", "type != 0", "FWD's type field must be 0"},
    {"func.linkage", "Invalid func linkage", "FUNC linkage must be static (0) or global (1); extern is rejected"},
    {"var.linkage", "Linkage not supported", "VAR linkage must be static (0) or global allocated (1)"},
    {"datasec.size", "size == 0", "DATASEC size is 0"},
    {"datasec.overlap", "Invalid offset", "DATASEC entry overlaps (or precedes) the previous one"},
    {"datasec.offset", "Invalid offset", "DATASEC entry offset not below the section size"},
    {"datasec.entry-size", "Invalid size", "DATASEC entry size 0 or above the section size"},
    {"datasec.end", "Invalid offset+size", "DATASEC entry runs past the section end"},
    {"datasec.sum", "Invalid btf_info size", "DATASEC entries add up to more than its size"},
    {"float.size", "Invalid type_size", "FLOAT size must be 2, 4, 8, 12 or 16"},
    {"decl_tag.value", "Invalid value", "DECL_TAG text is empty"},
    {"decl_tag.component", "Invalid component_idx", "component_idx below -1, not -1 for VAR/TYPEDEF, or past the members/params"},
    // Resolution (pass 2).
    {"resolve.missing", "Invalid type_id", "a referenced type id does not exist"},
    {"resolve.source-only", "Invalid type_id", "a reference to VAR, DATASEC or DECL_TAG from a type that cannot hold one"},
    {"resolve.loop", "Loop detected", "a reference cycle without a pointer to break it, or a pointer-only cycle"},
    {"resolve.depth", "Exceeded max resolving depth:32", "more than 32 unresolved types on one resolve path"},
    {"modifier.type", "Invalid type_id", "modifier/TYPEDEF/PTR ends at neither a sized type nor void, FWD or FUNC_PROTO"},
    {"array.index", "Invalid index", "ARRAY index type is not a regular INT"},
    {"array.elem", "Invalid elem", "ARRAY element type has no size (void, FWD, FUNC, FUNC_PROTO)"},
    {"array.int-elem", "Invalid array of int", "ARRAY of an INT with a bit offset or odd bit count"},
    {"array.overflow", "Array size overflows U32_MAX", "nelems * element size overflows 32 bits"},
    {"struct.member-type", "Invalid member", "member type has no size (void, FWD, FUNC, FUNC_PROTO)"},
    {"struct.member-align", "Member is not byte aligned", "non-bitfield member not byte aligned (FLOAT: min(8, size) aligned)"},
    {"struct.member-size", "Member exceeds struct_size", "member does not fit in the struct"},
    {"struct.member-bits", "nr_copy_bits exceeds 128", "INT member spans more than 128 bits (or its offset overflows)"},
    {"struct.bitfield-size", "Invalid member bitfield_size", "bitfield wider than its INT, above 32 bits for ENUM, or on a non-INT/ENUM member"},
    {"struct.bitfield-base", "Invalid member base type", "kind_flag INT member whose INT is not regular"},
    {"func.proto", "Invalid type_id", "FUNC does not point to a FUNC_PROTO"},
    {"func.arg-name", "Invalid arg#N", "FUNC's prototype has an unnamed parameter"},
    {"proto.return", "Invalid return type", "FUNC_PROTO return type has no size (and is not void)"},
    {"proto.arg", "Invalid arg#N", "FUNC_PROTO parameter type has no size (void only as the last, vararg)"},
    {"proto.vararg", "Invalid arg#N", "the vararg marker (last param, type 0) has a name"},
    {"var.type", "Invalid type_id", "VAR type has no size"},
    {"datasec.not-var", "Not a VAR kind member", "DATASEC entry is not a VAR"},
    {"datasec.var-size", "Invalid size", "DATASEC entry smaller than its VAR's type"},
    {"decl_tag.target", "Invalid type_id", "DECL_TAG target is not STRUCT, UNION, FUNC, VAR or TYPEDEF"},
    // Type tags.
    {"type_tag.order", "Type tags don't precede modifiers", "a TYPE_TAG after CONST/VOLATILE/RESTRICT/TYPEDEF in a chain (up to 6.18)"},
    {"type_tag.chain", "Max chain length or cycle detected", "more than 32 modifiers in a chain, or a modifier cycle"},
};

}  // namespace

std::span<const RuleInfo> rules() { return kRules; }

const RuleInfo* find_rule(std::string_view id) {
  auto it = std::find_if(std::begin(kRules), std::end(kRules), [&](const RuleInfo& r) { return r.id == id; });
  return it == std::end(kRules) ? nullptr : &*it;
}

std::string rule_table() {
  size_t w = 0;
  for (const RuleInfo& r : kRules) w = std::max(w, r.id.size());
  std::string out;
  for (const RuleInfo& r : kRules) {
    std::string line = "  " + std::string(r.id);
    line.resize(w + 4, ' ');
    line += r.summary;
    if (!r.kernel_message.empty()) line += " (\"" + std::string(r.kernel_message) + "\")";
    out += line + "\n";
  }
  return out;
}

}  // namespace btfcheck::verify
