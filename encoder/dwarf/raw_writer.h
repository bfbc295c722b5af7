// A minimal raw-BTF writer for the per-batch encoding (the hot path).
//
// Why not libbpf's btf__add_*: each of them interns its name by content (strlen, hash,
// strcmp) and re-checks the last type; on a vmlinux that is ~40% of the encoding time.
// Names here come from libdw and live as long as the Dwarf handle, and the same .debug_str
// string is the same pointer, so a long name is looked up by pointer first (a hash of 8
// bytes, no strcmp) and interned by content (btf::StringTable) only the first time a pointer
// comes; short ones (gcc writes them inline, DW_FORM_string: a new address each time) go to
// the string table directly. The records are laid out exactly as in
// include/uapi/linux/btf.h; ids are assigned in append order, and a reference can be
// filled later through its word index (two-phase encoding). The blob (btf::write_blob) is
// loaded with btf__new / btf__new_split (which checks it) and deduplicated there.
#pragma once

#include <linux/btf.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "btf/strings.h"
#include "btf/write.h"

namespace btfcheck::encode {

class RawWriter {
 public:
  // first_id: 1, or the base's type count for split BTF; str_base: the base's string size.
  RawWriter(uint32_t first_id, uint32_t str_base) : next_id_(first_id), strs_(str_base) {}

  uint32_t next_id() const { return next_id_; }
  size_t words() const { return types_.size(); }
  void set_word(size_t at, uint32_t v) { types_[at] = v; }

  // Offset of `s` in the string section ("" and null are 0).
  uint32_t str(const char* s) {
    if (!s || !*s) return 0;
    const size_t n = strnlen(s, 8);
    if (n < 8) return strs_.add(std::string_view(s, n));
    return by_address(s);
  }
  // str() for a string known to live in .debug_str (any form but DW_FORM_string): looked up
  // by address before its bytes are read (most names repeat, and reading them is a cache
  // miss into .debug_str).
  uint32_t str_in_section(const char* s) { return s ? by_address(s) : 0; }

  // For names that do not come from libdw (synthesized, or std::string temporaries).
  uint32_t str_copy(const char* s) { return s && *s ? strs_.add(s) : 0; }

  // Common header; returns the new id. `tail` words are reserved after it.
  uint32_t add(uint32_t name_off, uint32_t kind, uint32_t vlen, bool kflag, uint32_t size_or_type) {
    last_ = types_.size();
    types_.push_back(name_off);
    types_.push_back(btf::make_info(kind, vlen, kflag));
    types_.push_back(size_or_type);
    return next_id_++;
  }
  size_t last_type_word() const { return last_ + 2; }  // the size/type word of the last type

  uint32_t add_int(uint32_t name_off, uint32_t bytes, uint32_t encoding) {
    uint32_t id = add(name_off, BTF_KIND_INT, 0, false, bytes);
    types_.push_back((encoding << 24) | (bytes * 8));
    return id;
  }
  uint32_t add_array(uint32_t nelems) {  // elem and index filled later
    uint32_t id = add(0, BTF_KIND_ARRAY, 0, false, 0);
    types_.push_back(0);
    types_.push_back(0);
    types_.push_back(nelems);
    return id;
  }
  size_t array_elem_word() const { return last_ + 3; }
  size_t array_index_word() const { return last_ + 4; }

  // Appends a member / param / enumerator / secinfo record to the last type and bumps its
  // vlen. Returns the index of the record's first word.
  size_t add_member(uint32_t name_off, uint32_t type, uint32_t bit_off, uint32_t bitfield) {
    bump_vlen(bitfield != 0 || (bit_off % 8) != 0);
    size_t at = types_.size();
    types_.push_back(name_off);
    types_.push_back(type);
    types_.push_back(bitfield ? (bitfield << 24) | (bit_off & 0xffffff) : bit_off);
    return at;
  }
  size_t add_param(uint32_t name_off, uint32_t type) {
    bump_vlen(false);
    size_t at = types_.size();
    types_.push_back(name_off);
    types_.push_back(type);
    return at;
  }
  void add_enum_value(uint32_t name_off, int64_t v) {
    bump_vlen(v < 0);
    types_.push_back(name_off);
    types_.push_back(static_cast<uint32_t>(v));
  }
  void add_enum64_value(uint32_t name_off, uint64_t v) {
    bump_vlen(false);
    types_.push_back(name_off);
    types_.push_back(static_cast<uint32_t>(v));
    types_.push_back(static_cast<uint32_t>(v >> 32));
  }
  void add_decl_tag_tail(int32_t component) { types_.push_back(static_cast<uint32_t>(component)); }
  void add_var_tail(uint32_t linkage) { types_.push_back(linkage); }

  uint16_t last_vlen() const { return types_[last_ + 1] & 0xffff; }
  bool last_is_union() const { return btf::info_kind(types_[last_ + 1]) == BTF_KIND_UNION; }

  // The whole blob: header, types, strings.
  std::vector<uint8_t> bytes() const { return btf::write_blob(types_, strs_.data()); }

 private:
  uint32_t by_address(const char* s) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    size_t i = slot_of(s);
    while (slots_[i].key && slots_[i].key != s) i = (i + 1) & (slots_.size() - 1);
    if (slots_[i].key) return slots_[i].off;
    const uint32_t off = *s ? strs_.add(s) : 0;
    slots_[i] = {s, off};
    ++used_;
    return off;
  }
  void bump_vlen(bool kflag) {
    uint32_t& info = types_[last_ + 1];
    info = (info & ~0xffffu) | ((info & 0xffff) + 1);
    if (kflag) info |= 1u << 31;
  }

  // Open addressing, linear probing, keyed by the string's address (never iterated).
  struct Slot {
    const char* key;
    uint32_t off;
  };
  size_t slot_of(const char* p) const {
    const uint64_t h = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> shift_);
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    const size_t cap = old.empty() ? 1024 : old.size() * 2;
    slots_.assign(cap, Slot{nullptr, 0});
    shift_ = 64 - __builtin_ctzll(cap);
    for (const Slot& e : old) {
      if (!e.key) continue;
      size_t i = slot_of(e.key);
      while (slots_[i].key) i = (i + 1) & (cap - 1);
      slots_[i] = e;
    }
  }

  uint32_t next_id_;
  size_t last_ = 0;
  std::vector<uint32_t> types_;
  btf::StringTable strs_;
  std::vector<Slot> slots_;
  size_t used_ = 0;
  unsigned shift_ = 64;
};

}  // namespace btfcheck::encode
