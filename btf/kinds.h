// The one table that says how each BTF kind is laid out: how many 32-bit words follow the
// common 12-byte record, how many per vlen entry, and which of those words hold type ids and
// name offsets (libbpf's field iterator, as data). verify, canon, merge and diff all walk
// references through for_each_type_ref / for_each_name_off; no other kind switch knows layout.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace btfcheck::btf {

enum class Kind : uint8_t {
  Unkn = 0, Int, Ptr, Array, Struct, Union, Enum, Fwd, Typedef, Volatile, Const, Restrict,
  Func, FuncProto, Var, Datasec, Float, DeclTag, TypeTag, Enum64,
};
constexpr uint32_t kMaxKnownKind = 19;

// Word positions are relative to the first word after the common record (name_off, info,
// size/type). -1 = none.
struct KindLayout {
  std::string_view name;        // bpftool's spelling: "INT", "FUNC_PROTO", ...
  bool known;
  bool size_type_is_ref;        // the common record's third word is a type id
  uint8_t fixed_words;          // words right after the common record
  int8_t fixed_ref[2];          // type-id words within the fixed part
  uint8_t vlen_words;           // words per vlen entry
  int8_t vlen_name;             // name_off word within a vlen entry
  int8_t vlen_ref;              // type-id word within a vlen entry
};

namespace detail {
inline constexpr KindLayout kUnknownLayout{"UNKN", false, false, 0, {-1, -1}, 0, -1, -1};

// name, known, size_type_is_ref, fixed_words, fixed_ref, vlen_words, vlen_name, vlen_ref
inline constexpr std::array<KindLayout, kMaxKnownKind + 1> kLayouts{{
    {"UNKN", false, false, 0, {-1, -1}, 0, -1, -1},
    {"INT", true, false, 1, {-1, -1}, 0, -1, -1},          // u32 encoding/offset/bits
    {"PTR", true, true, 0, {-1, -1}, 0, -1, -1},
    {"ARRAY", true, false, 3, {0, 1}, 0, -1, -1},          // type, index_type, nelems
    {"STRUCT", true, false, 0, {-1, -1}, 3, 0, 1},         // name_off, type, offset
    {"UNION", true, false, 0, {-1, -1}, 3, 0, 1},
    {"ENUM", true, false, 0, {-1, -1}, 2, 0, -1},          // name_off, val
    {"FWD", true, false, 0, {-1, -1}, 0, -1, -1},
    {"TYPEDEF", true, true, 0, {-1, -1}, 0, -1, -1},
    {"VOLATILE", true, true, 0, {-1, -1}, 0, -1, -1},
    {"CONST", true, true, 0, {-1, -1}, 0, -1, -1},
    {"RESTRICT", true, true, 0, {-1, -1}, 0, -1, -1},
    {"FUNC", true, true, 0, {-1, -1}, 0, -1, -1},
    {"FUNC_PROTO", true, true, 0, {-1, -1}, 2, 0, 1},     // name_off, type
    {"VAR", true, true, 1, {-1, -1}, 0, -1, -1},           // linkage
    {"DATASEC", true, false, 0, {-1, -1}, 3, -1, 0},       // type, offset, size
    {"FLOAT", true, false, 0, {-1, -1}, 0, -1, -1},
    {"DECL_TAG", true, true, 1, {-1, -1}, 0, -1, -1},      // component_idx
    {"TYPE_TAG", true, true, 0, {-1, -1}, 0, -1, -1},
    {"ENUM64", true, false, 0, {-1, -1}, 3, 0, -1},        // name_off, val_lo32, val_hi32
}};

}  // namespace detail

// Inline: the readers ask for it per record.
inline const KindLayout& kind_layout(uint32_t kind) {
  return kind <= kMaxKnownKind ? detail::kLayouts[kind] : detail::kUnknownLayout;
}
inline std::string_view kind_name(uint32_t kind) { return kind_layout(kind).name; }

// info word: bits 0-15 vlen, 24-28 kind, 31 kind_flag (uapi up to 2025).
inline uint32_t info_vlen(uint32_t info) { return info & 0xffff; }
inline uint32_t info_kind(uint32_t info) { return (info >> 24) & 0x1f; }
inline bool info_kflag(uint32_t info) { return info >> 31; }
inline uint32_t make_info(uint32_t kind, uint32_t vlen, bool kflag) {
  return (kflag ? 1u << 31 : 0u) | ((kind & 0x1f) << 24) | (vlen & 0xffff);
}

// Record length in 32-bit words for a kind and vlen, common part included; 0 if unknown kind.
inline uint64_t record_words(uint32_t kind, uint32_t vlen) {
  const KindLayout& l = kind_layout(kind);
  if (!l.known) return 0;
  return 3 + l.fixed_words + uint64_t(l.vlen_words) * vlen;
}

// Calls f(word_index) for every word of a record (index into the record, 0 = name_off) that
// holds a type id / a name offset. `kind` and `vlen` come from the record's info word.
template <typename F>
void for_each_ref_word(uint32_t kind, uint32_t vlen, F&& f) {
  const KindLayout& l = kind_layout(kind);
  if (l.size_type_is_ref) f(2u);
  for (int8_t r : l.fixed_ref)
    if (r >= 0) f(3u + r);
  if (l.vlen_ref >= 0)
    for (uint32_t i = 0; i < vlen; ++i) f(3u + l.fixed_words + i * l.vlen_words + l.vlen_ref);
}
template <typename F>
void for_each_name_word(uint32_t kind, uint32_t vlen, F&& f) {
  const KindLayout& l = kind_layout(kind);
  f(0u);
  if (l.vlen_name >= 0)
    for (uint32_t i = 0; i < vlen; ++i) f(3u + l.fixed_words + i * l.vlen_words + l.vlen_name);
}

}  // namespace btfcheck::btf
