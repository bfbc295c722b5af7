// A minimal raw-BTF writer for the per-batch encoding (the hot path).
//
// Why not libbpf's btf__add_*: each of them interns its name by content (strlen, hash,
// strcmp) and re-checks the last type; on a vmlinux that is ~40% of the encoding time.
// Names here come from libdw and live as long as the Dwarf handle, and the same .debug_str
// string is the same pointer, so we intern by pointer (a hash of 8 bytes, no strcmp).
// Equal strings at different pointers (DW_FORM_string) are stored twice: libbpf's
// btf__dedup merges strings first thing. The records are laid out exactly as in
// include/uapi/linux/btf.h; ids are assigned in append order, and a reference can be
// filled later through its word index (two-phase encoding). The result is loaded with
// btf__new / btf__new_split (which checks it) and deduplicated there.
#pragma once

#include <linux/btf.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace btfcheck::encode {

class RawWriter {
 public:
  // first_id: 1, or the base's type count for split BTF; str_base: the base's string size.
  RawWriter(uint32_t first_id, uint32_t str_base) : next_id_(first_id), str_base_(str_base) {
    strs_.push_back('\0');
  }

  uint32_t next_id() const { return next_id_; }
  size_t words() const { return types_.size(); }
  void set_word(size_t at, uint32_t v) { types_[at] = v; }

  // Offset of `s` in the string section ("" and null are 0).
  uint32_t str(const char* s) {
    if (!s || !*s) return 0;
    // Short names (gcc writes them inline, DW_FORM_string: a new address each time) are
    // interned by content, packed in a word; longer ones by address.
    uint64_t packed = 0;
    size_t n = 0;
    while (n < 8 && s[n]) {
      packed |= static_cast<uint64_t>(static_cast<unsigned char>(s[n])) << (8 * n);
      ++n;
    }
    if (n < 8) return str_short(packed, s, n);
    if ((used_ + 1) * 2 > slots_.size()) grow();
    size_t i = slot_of(s);
    while (slots_[i].key && slots_[i].key != s) i = (i + 1) & (slots_.size() - 1);
    if (slots_[i].key) return slots_[i].off;
    const uint32_t off = str_base_ + static_cast<uint32_t>(strs_.size());
    strs_.insert(strs_.end(), s, s + std::strlen(s) + 1);
    slots_[i] = {s, off};
    ++used_;
    return off;
  }
  // For names that do not come from libdw (synthesized, or std::string temporaries).
  uint32_t str_copy(const char* s) {
    if (!s || !*s) return 0;
    uint32_t off = str_base_ + static_cast<uint32_t>(strs_.size());
    strs_.insert(strs_.end(), s, s + std::strlen(s) + 1);
    return off;
  }

  // Common header; returns the new id. `tail` words are reserved after it.
  uint32_t add(uint32_t name_off, uint32_t kind, uint32_t vlen, bool kflag, uint32_t size_or_type) {
    last_ = types_.size();
    types_.push_back(name_off);
    types_.push_back((kind << 24) | (vlen & 0xffff) | (kflag ? 1u << 31 : 0));
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
  bool last_is_union() const { return (types_[last_ + 1] >> 24 & 0x1f) == BTF_KIND_UNION; }

  // The whole blob: header, types, strings.
  std::string bytes() const {
    btf_header h{};
    h.magic = BTF_MAGIC;
    h.version = BTF_VERSION;
    h.hdr_len = sizeof h;
    h.type_off = 0;
    h.type_len = static_cast<uint32_t>(types_.size() * 4);
    h.str_off = h.type_len;
    h.str_len = static_cast<uint32_t>(strs_.size());
    std::string out(sizeof h + h.type_len + h.str_len, '\0');
    std::memcpy(out.data(), &h, sizeof h);
    if (!types_.empty()) std::memcpy(out.data() + sizeof h, types_.data(), h.type_len);
    std::memcpy(out.data() + sizeof h + h.type_len, strs_.data(), strs_.size());
    return out;
  }

 private:
  void bump_vlen(bool kflag) {
    uint32_t& info = types_[last_ + 1];
    info = (info & ~0xffffu) | ((info & 0xffff) + 1);
    if (kflag) info |= 1u << 31;
  }

  uint32_t str_short(uint64_t packed, const char* s, size_t n) {
    if ((short_used_ + 1) * 2 > short_.size()) {
      std::vector<Short> old = std::move(short_);
      const size_t cap = old.empty() ? 1024 : old.size() * 2;
      short_.assign(cap, Short{0, 0});
      short_shift_ = 64 - __builtin_ctzll(cap);
      for (const Short& e : old) {
        if (!e.key) continue;
        size_t i = (e.key * 0x9E3779B97F4A7C15ull) >> short_shift_;
        while (short_[i].key) i = (i + 1) & (cap - 1);
        short_[i] = e;
      }
    }
    size_t i = (packed * 0x9E3779B97F4A7C15ull) >> short_shift_;
    while (short_[i].key && short_[i].key != packed) i = (i + 1) & (short_.size() - 1);
    if (short_[i].key) return short_[i].off;
    const uint32_t off = str_base_ + static_cast<uint32_t>(strs_.size());
    strs_.insert(strs_.end(), s, s + n + 1);
    short_[i] = {packed, off};
    ++short_used_;
    return off;
  }
  struct Short {
    uint64_t key;
    uint32_t off;
  };
  std::vector<Short> short_;
  size_t short_used_ = 0;
  unsigned short_shift_ = 64;

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
  uint32_t str_base_;
  size_t last_ = 0;
  std::vector<uint32_t> types_;
  std::vector<char> strs_;
  std::vector<Slot> slots_;
  size_t used_ = 0;
  unsigned shift_ = 64;
};

}  // namespace btfcheck::encode
