// The kernel's DATASEC rules, in one place for the verifier (which reports every broken one)
// and the archive merge's sanitize (which drops a DATASEC that breaks any).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "btf/btf.h"

namespace btfcheck::btf {

// btf_datasec_check_meta's size and layout rules, by verify's rule ids.
enum class DatasecRule : uint8_t {
  Size,        // datasec.size: the section's size is 0
  Overlap,     // datasec.overlap: an entry starts before the previous one ends
  Offset,      // datasec.offset: an entry starts at or past the section's size
  EntrySize,   // datasec.entry-size: an entry's size is 0 or more than the section's
  End,         // datasec.end: an entry ends past the section's size
  Sum,         // datasec.sum: the entries add up to more than the section's size
};
std::string_view rule_id(DatasecRule r);

struct DatasecIssue {
  DatasecRule rule;
  std::optional<uint32_t> entry;   // the entry at fault; none for the section itself
  uint32_t word;                   // the record word of the field at fault
  uint64_t value, bound;           // its value and the one it must stay within: Size 0, 0;
                                   // Overlap offset, previous end; Offset offset, size;
                                   // EntrySize, End, Sum value, size
};

// Calls issue(DatasecIssue) for every size and layout rule DATASEC `t` breaks, in entry
// order (entries: type, offset, size).
template <typename F>
void check_datasec_layout(const Type& t, F&& issue) {
  const uint32_t size = t.size();
  if (!size) issue(DatasecIssue{DatasecRule::Size, std::nullopt, 2, 0, 0});
  uint64_t last_end = 0, sum = 0;
  for (uint32_t i = 0; i < t.vlen(); ++i) {
    const Type::SecInfo v = t.secinfo(i);
    const uint32_t w = uint32_t(entry_word(t.kind(), i));
    bool ok = true;
    if (v.offset < last_end) {
      issue(DatasecIssue{DatasecRule::Overlap, i, w + 1, v.offset, last_end});
      ok = false;
    } else if (v.offset >= size) {
      issue(DatasecIssue{DatasecRule::Offset, i, w + 1, v.offset, size});
      ok = false;
    }
    if (!v.size || v.size > size) {
      issue(DatasecIssue{DatasecRule::EntrySize, i, w + 2, v.size, size});
      ok = false;
    }
    const uint64_t end = uint64_t(v.offset) + v.size;
    if (ok && end > size) issue(DatasecIssue{DatasecRule::End, i, w + 2, end, size});
    last_end = end;
    sum += v.size;
  }
  if (sum > size) issue(DatasecIssue{DatasecRule::Sum, std::nullopt, 2, sum, size});
}

// Whether the kernel accepts DATASEC `t` of `b`: kind_flag 0, no layout issue, and every
// entry a VAR whose type (resolve_size) fits in it (btf_datasec_resolve).
bool datasec_valid(const Btf& b, const Type& t);

}  // namespace btfcheck::btf
