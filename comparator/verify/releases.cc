// The release table. Each row is one verdict-changing difference of kernel/bpf/btf.c
// between Linux 6.1.0 and bpf-next 2026, with the release that introduced it. Sources:
// Debian's linux-source-6.1 (6.1.192) and linux-source-6.12 (6.12.118), BPF_BTF_LOAD on a
// running 6.18.44 kernel (82 probe blobs, tests/e2e/kernel_probes.py), the commits named
// below, and a bpf-next btf.c of mid-2026 (read as text). Releases between the documented
// points (6.3, 6.5-6.8, 6.10, 6.12-6.14, 6.16-6.18) showed no verifier change in commit
// searches, source diffs or the oracle.
//
// Not modelled: the special-field checks BPF_BTF_LOAD runs since 6.2 (btf_parse_struct_metas:
// a struct with two bpf_spin_lock members, a bpf_list_head without a "contains:" tag). They
// judge the BPF runtime's meaning of a few type names, not the BTF format, and log no
// message; verify accepts such BTF in every release.
#include "comparator/verify/releases.h"

#include <array>
#include <charconv>

namespace btfcheck::verify {
namespace {

constexpr uint32_t kMajor = 6, kFirstMinor = 1, kLastMinor = 18;

// 6.1.0: identifiers without dots (VAR names excepted), DATASEC names of identifier
// characters and dots, kind_flag 0 on tags, the 24-byte header, the classic info word, tag
// order enforced, no distilled bases.
Options baseline() {
  Options o;
  o.legacy_names = true;
  o.section_names = SectionNames::IdentDot;
  o.strict_tag_kflag = true;
  o.header_size = btf::kHeaderSize;
  o.layout_checks = false;
  o.info = btf::InfoFormat::Classic;
  o.type_tag_order = true;
  o.distilled_base = false;
  return o;
}

constexpr std::array<Change, 8> kChanges{{
    {"name.dots", "6.4", "6.1.36", "name.invalid", "all",
     "'.' allowed in every identifier (type, member, enumerator, parameter, FUNC names); "
     "VAR names always allowed it",
     "9724160b3942 bpf/btf: Accept function names that contain dots (2023-06; stable 6.1.36)",
     [](Options& o) { o.legacy_names = false; }},
    {"datasec.printable-tail", "6.9", "", "name.invalid, name.required", "all",
     "DATASEC names: any printable byte after the first, whose value is not checked (was "
     "identifier characters and '.')",
     "bd70a8fb7ca4 bpf: Allow all printable characters in BTF DATASEC names (2024-03)",
     [](Options& o) { o.section_names = SectionNames::PrintableTail; }},
    {"datasec.printable", "6.11", "", "name.invalid, name.required", "all",
     "DATASEC names: every byte printable, the first too; an empty name is rejected",
     "bpf: add check for invalid name in btf_name_valid_section() (2024-08, Fixes: bd70a8fb7ca4)",
     [](Options& o) { o.section_names = SectionNames::Printable; }},
    {"base.distilled", "6.11", "", "base.distilled", "modules",
     "module BTF may be split on a distilled .BTF.base, relocated onto vmlinux at load",
     "btf_parse_module + btf_relocate (distilled base BTF series, 2024-06)",
     [](Options& o) { o.distilled_base = true; }},
    {"tag.kflag", "6.15", "", "type.kflag", "all",
     "kind_flag 1 allowed on TYPE_TAG and DECL_TAG (attribute tags)",
     "53ee0d66d7a6 bpf: Allow kind_flag for BTF type and decl tags (2025-02)",
     [](Options& o) { o.strict_tag_kflag = false; }},
    {"header.layout", "next", "",
     "hdr.unsupported, sec.gap, sec.overlap, sec.trailing, sec.str-not-last, layout.align, "
     "layout.too-small, layout.len-multiple",
     "all",
     "32-byte header (layout_off, layout_len): the layout section is a third section, the "
     "strings need not be last; BPF_BTF_LOAD checks the layout's alignment and length",
     "222edc843c15 btf: Add BTF kind layout encoding to UAPI (2026-03)",
     [](Options& o) {
       o.header_size = btf::kLayoutHeaderSize;
       o.layout_checks = true;
     }},
    {"info.wide", "next", "", "type.info-reserved, type.kind-unknown, type.vlen", "all",
     "info word: vlen 24 bits, kind 7 bits, no reserved bits (records of up to 2^24-1 entries)",
     "f7a6b9eaff3e bpf: Extend BTF UAPI vlen, kinds to use unused bits (2026-04)",
     [](Options& o) { o.info = btf::InfoFormat::Wide; }},
    {"tag.order", "next", "", "type_tag.order", "all",
     "type tags may follow other modifiers; only the chain length is checked",
     "39799c63578e bpf: Allow type tag BTF records to succeed other modifier records (2026-06)",
     [](Options& o) { o.type_tag_order = false; }},
}};

bool number(std::string_view s, uint32_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "X.Y" or "X.Y.Z" (without any suffix); nullopt otherwise.
std::optional<Kernel> numbered(std::string_view s) {
  Kernel k;
  const size_t d1 = s.find('.');
  if (d1 == std::string_view::npos || !number(s.substr(0, d1), k.major)) return std::nullopt;
  std::string_view rest = s.substr(d1 + 1);
  const size_t d2 = rest.find('.');
  if (!number(rest.substr(0, d2), k.minor)) return std::nullopt;
  if (d2 != std::string_view::npos && !number(rest.substr(d2 + 1), k.patch)) return std::nullopt;
  return k;
}

std::optional<Kernel> release_of(std::string_view since) {
  if (since == "next") return Kernel{0, 0, 0, true};
  return numbered(since);
}

}  // namespace

std::string Kernel::name() const {
  if (next) return "next";
  return std::to_string(major) + "." + std::to_string(minor) +
         (patch ? "." + std::to_string(patch) : "");
}

std::optional<Kernel> parse_kernel(std::string_view spec, std::string* why) {
  if (spec == "next" || spec == "bpf-next") return Kernel{0, 0, 0, true};
  // uname -r: "6.18.44-fc-v1272", "6.12.118+deb12-cloud-amd64": the numbers before the suffix.
  const size_t end = spec.find_first_not_of("0123456789.");
  auto k = numbered(spec.substr(0, end));
  if (k && k->major == kMajor && k->minor >= kFirstMinor && k->minor <= kLastMinor) return k;
  if (why)
    *why = "unknown kernel release '" + std::string(spec) + "' (known: " + known_kernels() +
           "; X.Y.Z for a stable update)";
  return std::nullopt;
}

Kernel newest_kernel() { return Kernel{kMajor, kLastMinor, 0, false}; }

std::string known_kernels() {
  std::string s;
  for (uint32_t m = kFirstMinor; m <= kLastMinor; ++m)
    s += std::to_string(kMajor) + "." + std::to_string(m) + ", ";
  return s + "next";
}

std::span<const Change> changes() { return kChanges; }

bool has_change(const Kernel& k, const Change& c) {
  if (k.key() >= release_of(c.since)->key()) return true;
  if (c.backport.empty()) return false;
  const Kernel b = *numbered(c.backport);
  return !k.next && k.major == b.major && k.minor == b.minor && k.patch >= b.patch;
}

Options options_for(const Kernel& k, bool builtin) {
  Options o = baseline();
  for (const Change& c : kChanges)
    if (has_change(k, c)) c.apply(o);
  o.kernel = k.name();
  return builtin ? Options::as_builtin(o) : o;
}

std::string release_table() {
  std::string out = "known releases: " + known_kernels() + " (default " + newest_kernel().name() +
                    "; X.Y is X.Y.0, X.Y.Z a stable update)\n"
                    "changes from 6.1.0 (release, id, rules, what):\n";
  for (const Change& c : kChanges) {
    std::string line = "  " + std::string(c.since);
    line.resize(8, ' ');
    line += std::string(c.id);
    line.resize(32, ' ');
    out += line + std::string(c.summary) +
           (c.backport.empty() ? "" : " (also " + std::string(c.backport) + "+)") + " [" +
           std::string(c.rules) + "]\n";
  }
  return out;
}

}  // namespace btfcheck::verify
