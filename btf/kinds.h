// The one table of BTF kinds: how each kind's record is laid out (how many 32-bit words
// follow the common 12-byte record, how many per vlen entry, which of them hold type ids and
// name offsets and what each reference is: libbpf's field iterator, as data), and which
// classes each kind belongs to. verify, canon, the merge, sanitize, diff, the C dump guard
// and the encoder walk references through for_each_ref / for_each_ref_word /
// for_each_name_word and the entry_* word helpers, and ask "is this a modifier?" through the
// predicates at the end; no other file derives a kind's layout or classes.
#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <string_view>

namespace btfcheck::btf {

enum class Kind : uint8_t {
  Unkn = 0, Int, Ptr, Array, Struct, Union, Enum, Fwd, Typedef, Volatile, Const, Restrict,
  Func, FuncProto, Var, Datasec, Float, DeclTag, TypeTag, Enum64,
};
constexpr uint32_t kMaxKnownKind = 19;

// What a type-id word refers to, by where it sits in its record.
enum class RefRole : uint8_t {
  None,      // not a type id
  Target,    // what a PTR, TYPEDEF, modifier, FUNC (its prototype), VAR or DECL_TAG is about
  Return,    // FUNC_PROTO: the return type
  Element,   // ARRAY: the element type
  Index,     // ARRAY: the index type
  Member,    // STRUCT/UNION entry: the member's type
  Param,     // FUNC_PROTO entry: the parameter's type (0: the vararg marker)
  SecVar,    // DATASEC entry: the VAR it places
};

// What the record's name_off holds.
enum class NameRole : uint8_t {
  None,   // nothing: must be 0 (PTR, ARRAY, CONST, VOLATILE, RESTRICT, FUNC_PROTO)
  Type,   // the name of the type, function, variable or section: its identity when present
  Tag,    // the tag's text (DECL_TAG, TYPE_TAG): the tag kinds
};

// Kind classes (bits of KindLayout::classes), as kernel/bpf/btf.c and libbpf group kinds.
// Kind 0 stands for void (type id 0) where a class says so. One predicate each, below.
enum KindClass : uint16_t {
  kQualifier = 1 << 0,     // CONST, VOLATILE, RESTRICT: C's type qualifiers
  kTypeTagClass = 1 << 1,  // TYPE_TAG
  kTypedefClass = 1 << 2,  // TYPEDEF
  kComposite = 1 << 3,     // STRUCT, UNION: members at bit offsets
  kAnyEnum = 1 << 4,       // ENUM, ENUM64
  kNoSize = 1 << 5,        // void, FWD, FUNC, FUNC_PROTO (btf_type_nosize)
  kDeclaration = 1 << 6,   // FUNC, VAR, DATASEC, DECL_TAG: a function, variable, section or
                           // annotation, not a type a C declaration can use
  kSourceOnly = 1 << 7,    // VAR, DATASEC, DECL_TAG: nothing may refer to them
                           // (btf_type_is_resolve_source_only)
};

// Word positions are relative to the first word after the common record (name_off, info,
// size/type). -1 = none.
struct KindLayout {
  std::string_view name;        // bpftool's spelling: "INT", "FUNC_PROTO", ...
  bool known;
  bool size_word;               // the common record's third word is a byte size
  RefRole type_word;            // the third word is a type id: what it refers to
  uint8_t fixed_words;          // words right after the common record
  int8_t fixed_ref[2];          // type-id words within the fixed part...
  RefRole fixed_role[2];        // ...and what they refer to
  uint8_t vlen_words;           // words per vlen entry
  int8_t vlen_name;             // name_off word within a vlen entry
  int8_t vlen_ref;              // type-id word within a vlen entry...
  RefRole vlen_role;            // ...and what it refers to
  NameRole name_role;
  uint16_t classes;             // KindClass bits
};

namespace detail {
using R = RefRole;
using N = NameRole;
inline constexpr KindLayout kUnknownLayout{
    "UNKN", false, false, R::None, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None, N::None, 0};

// name, known, size_word, type_word, fixed_words, fixed_ref, fixed_role, vlen_words,
// vlen_name, vlen_ref, vlen_role, name_role, classes
inline constexpr std::array<KindLayout, kMaxKnownKind + 1> kLayouts{{
    {"UNKN", false, false, R::None, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None, N::None,
     kNoSize},   // kind 0 as void
    {"INT", true, true, R::None, 1, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None, N::Type,
     0},         // u32 encoding/offset/bits
    {"PTR", true, false, R::Target, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None, N::None,
     0},
    {"ARRAY", true, false, R::None, 3, {0, 1}, {R::Element, R::Index}, 0, -1, -1, R::None,
     N::None, 0},   // type, index_type, nelems
    {"STRUCT", true, true, R::None, 0, {-1, -1}, {R::None, R::None}, 3, 0, 1, R::Member, N::Type,
     kComposite},   // name_off, type, offset
    {"UNION", true, true, R::None, 0, {-1, -1}, {R::None, R::None}, 3, 0, 1, R::Member, N::Type,
     kComposite},
    {"ENUM", true, true, R::None, 0, {-1, -1}, {R::None, R::None}, 2, 0, -1, R::None, N::Type,
     kAnyEnum},     // name_off, val
    {"FWD", true, false, R::None, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None, N::Type,
     kNoSize},
    {"TYPEDEF", true, false, R::Target, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None,
     N::Type, kTypedefClass},
    {"VOLATILE", true, false, R::Target, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None,
     N::None, kQualifier},
    {"CONST", true, false, R::Target, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None,
     N::None, kQualifier},
    {"RESTRICT", true, false, R::Target, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None,
     N::None, kQualifier},
    {"FUNC", true, false, R::Target, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None,
     N::Type, kNoSize | kDeclaration},
    {"FUNC_PROTO", true, false, R::Return, 0, {-1, -1}, {R::None, R::None}, 2, 0, 1, R::Param,
     N::None, kNoSize},   // name_off, type
    {"VAR", true, false, R::Target, 1, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None, N::Type,
     kDeclaration | kSourceOnly},   // linkage
    {"DATASEC", true, true, R::None, 0, {-1, -1}, {R::None, R::None}, 3, -1, 0, R::SecVar,
     N::Type, kDeclaration | kSourceOnly},   // type, offset, size
    {"FLOAT", true, true, R::None, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None, N::Type,
     0},
    {"DECL_TAG", true, false, R::Target, 1, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None,
     N::Tag, kDeclaration | kSourceOnly},   // component_idx
    {"TYPE_TAG", true, false, R::Target, 0, {-1, -1}, {R::None, R::None}, 0, -1, -1, R::None,
     N::Tag, kTypeTagClass},
    {"ENUM64", true, true, R::None, 0, {-1, -1}, {R::None, R::None}, 3, 0, -1, R::None, N::Type,
     kAnyEnum},     // name_off, val_lo32, val_hi32
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
// The two layouts of the info word. Classic: the uapi of Linux 6.1-6.18 and libbpf 1.8
// (vlen 16 bits, kind 5 bits, bits 16-23 and 29-30 reserved). Wide: bpf-next 2026, commit
// f7a6b9eaff3e "bpf: Extend BTF UAPI vlen, kinds to use unused bits" (vlen 24 bits, kind
// 7 bits, nothing reserved). Btf::parse reads records by the one it is given.
enum class InfoFormat : uint8_t { Classic, Wide };
inline uint32_t info_vlen(uint32_t info, InfoFormat f) {
  return info & (f == InfoFormat::Wide ? 0xffffffu : 0xffffu);
}
inline uint32_t info_kind(uint32_t info, InfoFormat f) {
  return (info >> 24) & (f == InfoFormat::Wide ? 0x7fu : 0x1fu);
}
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

// Word indexes into a record (0 = name_off, 1 = info, 2 = size/type): vlen entry i's first
// word, its type-id word and its name_off word (kinds whose entries have them).
inline uint64_t entry_word(uint32_t kind, uint32_t i) {
  const KindLayout& l = kind_layout(kind);
  return 3 + l.fixed_words + uint64_t(l.vlen_words) * i;
}
inline uint64_t entry_ref_word(uint32_t kind, uint32_t i) {
  return entry_word(kind, i) + kind_layout(kind).vlen_ref;
}
inline uint64_t entry_name_word(uint32_t kind, uint32_t i) {
  return entry_word(kind, i) + kind_layout(kind).vlen_name;
}
// The record word holding the reference of `role` outside the vlen entries (the third word
// or a fixed-part word); 0 when the kind has none.
inline uint32_t ref_word(uint32_t kind, RefRole role) {
  const KindLayout& l = kind_layout(kind);
  if (l.type_word == role) return 2;
  for (int j = 0; j < 2; ++j)
    if (l.fixed_ref[j] >= 0 && l.fixed_role[j] == role) return 3u + uint32_t(l.fixed_ref[j]);
  return 0;
}
// How many of a record's references come before its vlen entries' (the third word's and
// the fixed part's): the index of entry i's reference among all of them is this plus i.
inline uint32_t leading_refs(uint32_t kind) {
  const KindLayout& l = kind_layout(kind);
  return (l.type_word != RefRole::None) + (l.fixed_ref[0] >= 0) + (l.fixed_ref[1] >= 0);
}

// How many type ids a record of `kind` with `vlen` entries holds.
inline uint32_t ref_count(uint32_t kind, uint32_t vlen) {
  return leading_refs(kind) + (kind_layout(kind).vlen_ref >= 0 ? vlen : 0);
}

// Calls f(word_index, role, entry) for every word of a record that holds a type id, in
// record order (word_index into the record, 0 = name_off; entry: the vlen entry's index, 0
// outside the entries). `kind` and `vlen` come from the record's info word.
template <typename F>
void for_each_ref(uint32_t kind, uint32_t vlen, F&& f) {
  const KindLayout& l = kind_layout(kind);
  if (l.type_word != RefRole::None) f(2u, l.type_word, 0u);
  for (int j = 0; j < 2; ++j)
    if (l.fixed_ref[j] >= 0) f(3u + uint32_t(l.fixed_ref[j]), l.fixed_role[j], 0u);
  if (l.vlen_ref >= 0)
    for (uint32_t i = 0; i < vlen; ++i)
      f(3u + l.fixed_words + i * l.vlen_words + uint32_t(l.vlen_ref), l.vlen_role, i);
}
// The same, word indexes only; and every word that holds a name offset.
template <typename F>
void for_each_ref_word(uint32_t kind, uint32_t vlen, F&& f) {
  for_each_ref(kind, vlen, [&](uint32_t w, RefRole, uint32_t) { f(w); });
}
template <typename F>
void for_each_name_word(uint32_t kind, uint32_t vlen, F&& f) {
  const KindLayout& l = kind_layout(kind);
  f(0u);
  if (l.vlen_name >= 0)
    for (uint32_t i = 0; i < vlen; ++i) f(3u + l.fixed_words + i * l.vlen_words + l.vlen_name);
}

// What a record word holds, and f(word_index, role) for every word of a record in order
// (the archive pre-merge compares and hashes records by it).
enum class WordRole : uint8_t { Plain, Ref, Name };
template <typename F>
void for_each_word(uint32_t kind, uint32_t vlen, F&& f) {
  const KindLayout& l = kind_layout(kind);
  f(0u, WordRole::Name);
  f(1u, WordRole::Plain);
  f(2u, l.type_word != RefRole::None ? WordRole::Ref : WordRole::Plain);
  uint32_t k = 3;
  for (int i = 0; i < l.fixed_words; ++i, ++k)
    f(k, i == l.fixed_ref[0] || i == l.fixed_ref[1] ? WordRole::Ref : WordRole::Plain);
  for (uint32_t e = 0; e < vlen; ++e)
    for (int j = 0; j < l.vlen_words; ++j, ++k)
      f(k, j == l.vlen_ref ? WordRole::Ref : j == l.vlen_name ? WordRole::Name : WordRole::Plain);
}

// --- kind classes ----------------------------------------------------------------------
// Each predicate takes a kind as an info word holds it (uint32_t) or as a Kind.
template <typename T>
concept KindValue = std::same_as<T, Kind> || std::same_as<T, uint32_t>;

inline bool in_class(uint32_t kind, uint16_t classes) {
  return (kind_layout(kind).classes & classes) != 0;
}
// CONST, VOLATILE, RESTRICT: C's qualifiers.
bool is_qualifier(KindValue auto k) { return in_class(uint32_t(k), kQualifier); }
// A qualifier or TYPE_TAG: adds a qualifier or an attribute to its target, nothing else
// (libbpf's btf_is_mod).
bool is_modifier(KindValue auto k) { return in_class(uint32_t(k), kQualifier | kTypeTagClass); }
// A modifier or TYPEDEF: a value of it is a value of its target, same size and layout
// (the kernel's btf_type_is_modifier; what libbpf's skip_mods_and_typedefs skips).
bool is_modifier_or_typedef(KindValue auto k) {
  return in_class(uint32_t(k), kQualifier | kTypeTagClass | kTypedefClass);
}
// STRUCT, UNION.
bool is_composite(KindValue auto k) { return in_class(uint32_t(k), kComposite); }
// ENUM, ENUM64.
bool is_any_enum(KindValue auto k) { return in_class(uint32_t(k), kAnyEnum); }
// The third word is a byte size: INT, STRUCT, UNION, ENUM, ENUM64, DATASEC, FLOAT
// (btf_type_has_size).
bool has_size_word(KindValue auto k) { return kind_layout(uint32_t(k)).size_word; }
// A type with a size of its own once modifiers and typedefs are followed: a size word,
// PTR (pointer size) or ARRAY (nelems times its element's).
bool is_sized(KindValue auto k) {
  return has_size_word(k) || uint32_t(k) == uint32_t(Kind::Ptr) ||
         uint32_t(k) == uint32_t(Kind::Array);
}
// void (kind 0), FWD, FUNC, FUNC_PROTO: nothing can be laid out as one (btf_type_nosize).
bool is_nosize(KindValue auto k) { return in_class(uint32_t(k), kNoSize); }
// FUNC, VAR, DATASEC, DECL_TAG: declarations and annotations, not types.
bool is_declaration(KindValue auto k) { return in_class(uint32_t(k), kDeclaration); }
// VAR, DATASEC, DECL_TAG: nothing may refer to them (btf_type_is_resolve_source_only).
bool is_source_only(KindValue auto k) { return in_class(uint32_t(k), kSourceOnly); }
// Every kind with a type reference but FUNC_PROTO (checked on its own): the kinds the
// kernel's resolve pass walks (btf_type_needs_resolve).
bool needs_resolve(KindValue auto k) {
  return leading_refs(uint32_t(k)) + (kind_layout(uint32_t(k)).vlen_ref >= 0) > 0 &&
         uint32_t(k) != uint32_t(Kind::FuncProto);
}
// What name_off holds (NameRole::Type: the kinds whose name, when present, is the identity
// of the type).
NameRole name_role(KindValue auto k) { return kind_layout(uint32_t(k)).name_role; }

}  // namespace btfcheck::btf
