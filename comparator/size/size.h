// btfcheck::size — where the bytes of a BTF blob go, by kind and by name family, and how two
// blobs differ in each (`btfcheck size A [B]`).
//
// Every byte of the blob is charged to exactly one line, so each breakdown sums to the
// blob's size and, with two blobs, the deltas sum to the difference of their sizes:
// - the header is its own line; bytes outside the header, type and string sections (a
//   layout section, alignment gaps) are "other sections and padding";
// - a type record goes to the family of the named type that introduced it: named types are
//   their own roots, anonymous types (pointers, prototypes, arrays, modifiers) belong to the
//   first named type, in id order, that reaches them ("unreachable anonymous types" when
//   none does); a DATASEC's entries go to the families
//   of the variables they list, its 12-byte head to the section's family; a DECL_TAG goes to
//   its target's family, except the kfunc tags (bpf_kfunc, bpf_fastcall, ...);
// - a string goes to the first record, in id order, that names it (bytes shared by
//   overlapping strings are charged once, to the first); strings nothing names are
//   "unreferenced strings".
// For split BTF only the blob's own types and strings are counted.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "btf/btf.h"

namespace btfcheck::size {

struct Breakdown {
  uint64_t total = 0;                         // blob bytes
  std::map<std::string, uint64_t> kinds;      // "header", "STRUCT", ..., "strings", ...
  std::map<std::string, uint64_t> families;   // "header", "types sk_*", "per-CPU variables", ...
};

// The family a named type belongs to (see family_of in size.cc for the list).
Breakdown breakdown(const btf::Btf& btf);

struct Row {
  std::string name;
  uint64_t a = 0, b = 0;
  int64_t delta() const { return int64_t(b) - int64_t(a); }
};
struct Comparison {
  bool has_b = false;
  Row total;
  std::vector<Row> kinds, families;   // sorted by name
};
// One breakdown (b == nullptr: every b is 0) or two side by side.
Comparison compare(const Breakdown& a, const Breakdown* b);

enum class By { Kind, Family, Both };
// Text: the top `top` rows of each table (by |delta| with B, else by bytes), the rest
// summed into one line, and the total. JSON: {"total": {a, b, delta}, "families": [...],
// "kinds": [...]} with every row ({"name", "a", "b", "delta"}).
std::string render_text(const Comparison& c, By by, size_t top, const std::string& a_name,
                        const std::string& b_name);
std::string render_json(const Comparison& c, By by);

}  // namespace btfcheck::size
