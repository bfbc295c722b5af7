// BtfEdit: a mutable copy of one (non-split) BTF blob, for in-place fixups.
//
// The type section is held as btf::Records (host-order words, decoded once by
// btf::Btf::parse), so edits are plain word writes; serialize() writes the words back in the
// blob's own byte order (btf/write.h). Two modes of output, mirroring what libbpf's btf__raw_data() returns:
//   - no type or string appended: the input bytes with the type section rewritten in place
//     (header, string section and any padding are byte-identical);
//   - something appended (libbpf's btf__add_var() makes the BTF "modifiable"): the blob is
//     laid out again as header (original hdr_len bytes) + types + strings, with type_off 0
//     and str_off = type_len, exactly as libbpf re-serializes a modified BTF.
// Strings are appended with libbpf's strset semantics (btf::StringTable::continuing): a
// string equal to one already present at a string boundary (walking the section from
// offset 0) reuses that offset.
//
// Every accessor bounds-checks its id / word index; callers get nullopt, never a bad pointer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "btf/btf.h"
#include "btf/error.h"
#include "btf/records.h"
#include "btf/strings.h"

namespace btfcheck::fixup {

class BtfEdit {
 public:
  // Parses `bytes` (framing only, as btf::Btf::parse does). file/section name the input
  // in errors.
  static Result<BtfEdit> parse(std::span<const uint8_t> bytes, const std::string& file,
                               const std::string& section);

  uint32_t type_count() const { return records_.end_id(); }  // ids [0, count)
  bool valid(uint32_t id) const { return records_.owns(id); }
  const btf::Records& records() const { return records_; }

  // Record words of type `id` (host order); empty span when id is not a valid id.
  std::span<uint32_t> rec(uint32_t id);
  std::span<const uint32_t> rec(uint32_t id) const;
  uint32_t kind(uint32_t id) const;     // 0 for invalid ids
  uint32_t vlen(uint32_t id) const;
  // Byte offset of the record in the *input* blob (appended types: past the type section).
  uint64_t offset(uint32_t id) const;

  // String at a name offset; nullopt when out of range or unterminated.
  std::optional<std::string_view> str(uint32_t off) const;
  std::string_view name(uint32_t id) const;   // "" when absent or invalid

  // libbpf strset semantics (see the file comment). Returns the string's offset.
  uint32_t add_string(std::string_view s);
  // Appends VAR `name` (linkage, type) like btf__add_var(); returns its id.
  uint32_t add_var(std::string_view name, uint32_t linkage, uint32_t type);
  bool appended() const { return appended_; }

  // The blob in its original byte order.
  std::vector<uint8_t> serialize() const;

  btf::Endian endian() const { return endian_; }
  const std::string& file() const { return file_; }
  const std::string& section() const { return section_; }

 private:
  BtfEdit() = default;
  std::vector<uint8_t> input_;      // original bytes
  btf::Header hdr_;
  btf::Endian endian_ = btf::Endian::Little;
  std::string file_, section_;
  btf::Records records_;            // type section
  btf::StringTable strings_;        // string section, grown by add_string
  bool appended_ = false;
};

// btf__align_of() of libbpf (pointer size 8); nullopt where libbpf returns an error or
// where libbpf would recurse without bound (depth > 32).
std::optional<uint32_t> align_of(const BtfEdit& b, uint32_t id, int depth = 0);
// skip_mods_and_typedefs(): the first id that is not CONST/VOLATILE/RESTRICT/TYPE_TAG/TYPEDEF
// (bounded; returns 0 on a cycle or an invalid id).
uint32_t skip_mods_and_typedefs(const BtfEdit& b, uint32_t id);

}  // namespace btfcheck::fixup
