#include "btf/kinds.h"

#include <array>

namespace btfcheck::btf {
namespace {

constexpr KindLayout kUnknown{"UNKN", false, false, 0, {-1, -1}, 0, -1, -1};

// name, known, size_type_is_ref, fixed_words, fixed_ref, vlen_words, vlen_name, vlen_ref
constexpr std::array<KindLayout, kMaxKnownKind + 1> kTable{{
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

}  // namespace

const KindLayout& kind_layout(uint32_t kind) {
  return kind <= kMaxKnownKind ? kTable[kind] : kUnknown;
}

}  // namespace btfcheck::btf
