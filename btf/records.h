// Records: a blob's own types as editable host-order words, for the code that fixes, drops,
// renumbers or appends records and then writes a new blob (write.h): the archive merge's
// sanitize, the DWARF encoder's FUNC drops, the libbpf fixups and the tests' rewriters.
// drop_records() is the one way to drop types: renumber what is kept and rewrite every
// type reference through the kind table.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "btf/btf.h"

namespace btfcheck::btf {

struct Records {
  uint32_t start_id = 1;         // id of the first record (split BTF: the base's type count)
  std::vector<uint32_t> words;   // the records, host order
  std::vector<uint32_t> at;      // first word of each record, by id - start_id

  // The own records of `b`.
  static Records of(const Btf& b);
  // The records of a type section; nullopt when a kind is unknown or a record runs past the
  // end (the section is our own or libbpf's: callers report that as an internal error).
  static std::optional<Records> split(std::vector<uint32_t> type_words, uint32_t start_id);

  uint32_t count() const { return uint32_t(at.size()); }
  uint32_t end_id() const { return start_id + count(); }
  bool owns(uint32_t id) const { return id >= start_id && id < end_id(); }
  // Record `id`, which must be owned.
  uint32_t* rec(uint32_t id) { return words.data() + at[id - start_id]; }
  const uint32_t* rec(uint32_t id) const { return words.data() + at[id - start_id]; }
  uint32_t kind(uint32_t id) const { return info_kind(rec(id)[1]); }
  uint32_t vlen(uint32_t id) const { return info_vlen(rec(id)[1]); }
  // Appends a record (its length must match its info word); returns its id.
  uint32_t add(std::span<const uint32_t> record);

  // For resolve_size (size.h): owned ids are the types it can read.
  bool valid(uint32_t id) const { return owns(id); }
  uint32_t word(uint32_t id, uint32_t w) const { return rec(id)[w]; }
};

// `in` without the records that `drop` marks (indexed by id - start_id), the others
// renumbered densely from start_id in their order, and every type reference (kind table)
// rewritten: kept own ids to their new ids, ids below start_id (void, a base's) unchanged.
// A reference to a dropped record becomes 0 and one past the records stays as it is; both
// set `dangling`.
struct Renumbered {
  Records records;
  std::vector<uint32_t> new_id;   // by old id - start_id; 0 for a dropped record
  bool dangling = false;
};
Renumbered drop_records(const Records& in, std::span<const uint8_t> drop);

}  // namespace btfcheck::btf
