// DieReader: turns DWARF DIEs into the model (shapes, definitions, function signatures).
//
// A definition is first read into a RawDef: names are views into libdw's string data and
// type shapes are interned ids, so reading one of the ~1.4M struct/union/enum/typedef DIEs
// of a vmlinux allocates nothing. Its 128-bit fingerprint decides whether an identical
// definition was already seen; only new ones are converted (to_def) into the owning model.
#pragma once

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "comparator/dwarfcheck/model.h"

namespace btfcheck::dwarfcheck::detail {

// Attribute forms that hold a plain constant (sizes, offsets, bounds, enum values).
inline bool is_constant_form(unsigned form) {
  switch (form) {
    case DW_FORM_data1: case DW_FORM_data2: case DW_FORM_data4: case DW_FORM_data8:
    case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_implicit_const:
      return true;
    default:
      return false;
  }
}

struct Fingerprint {
  uint64_t a = 0, b = 0;
  bool operator==(const Fingerprint& o) const { return a == o.a && b == o.b; }
};

struct RawField {
  std::string_view name;
  uint64_t bit_offset = 0;
  uint32_t bitfield = 0;
  uint32_t type = 0;         // interned shape
};
struct RawBody {
  int32_t parent = -1;       // index of the enclosing body, -1 for the root
  std::string_view member;   // member name that leads here ("" = anonymous member)
  uint64_t member_offset = 0;
  char kind = 's';
  uint64_t size = 0;
  uint32_t first_field = 0, fields = 0, first_value = 0, values = 0;
};
struct RawDef {
  DefKind kind = DefKind::Struct;
  std::string_view name;     // for anonymous enums: the first enumerator's name
  bool anon_enum = false;
  bool declaration = false;
  uint32_t target = 0;       // typedef: interned shape
  std::vector<RawBody> bodies;
  std::vector<RawField> fields;
  std::vector<Enumerator> values;   // names are filled in to_def (from value_names)
  std::vector<std::string_view> value_names;
  void clear() {
    bodies.clear();
    fields.clear();
    values.clear();
    value_names.clear();
    target = 0;
    anon_enum = declaration = false;
  }
};

class DieReader {
 public:
  DieReader(bool little_endian, bool flat_arrays)
      : little_endian_(little_endian), flat_arrays_(flat_arrays) {
    node(kVoid, {}, 0, {});   // id 0
  }

  // Starts a new unit: forgets the previous unit's cache.
  void begin_unit(Dwarf_CU* cu) {
    cu_ = cu;
    // Not clear(): it would walk the bucket array the largest unit left behind, per unit.
    std::unordered_map<uint64_t, uint32_t>().swap(cache_);
  }

  uint32_t shape(Dwarf_Die* die, int depth = 0);
  // Shape of the type a DIE refers to (DW_AT_type, following abstract_origin and
  // specification); 0 ("void") when it has none.
  uint32_t type_shape(Dwarf_Die* die, int depth = 0);
  // The text of a shape (model.h notation), built once per id.
  const std::string& shape_text(uint32_t id);

  // Reads a struct/union/class/enum/typedef DIE into `out`; false for types only checked
  // through a parent (anonymous aggregates, empty anonymous enums).
  bool read(Dwarf_Die* die, RawDef& out);
  Fingerprint fingerprint(const RawDef& d) const;
  Def to_def(const RawDef& d);

  // Signature of a subprogram (parameters from its most abstract origin that lists them).
  FuncSig signature(Dwarf_Die* die);

  // Receives type definitions nested in an aggregate (C++ nested classes), which the body
  // walk meets anyway; set by the unit walk.
  template <typename F>
  void set_nested_sink(F* f) {
    sink_ctx_ = f;
    sink_ = [](void* ctx, Dwarf_Die* d) { (*static_cast<F*>(ctx))(d); };
  }

 private:
  // Shapes are interned as nodes (operator, name, count, operand ids): small keys, and
  // operands always exist before the node that uses them, so shapes are acyclic.
  enum Op : uint8_t { kVoid, kName, kPtr, kConst, kVolatile, kRestrict, kStruct, kUnion, kEnum,
                      kArray, kFn, kFnVarargs, kTruncated };
  struct Node {
    Op op;
    std::string_view name;   // kName (base type or typedef), kStruct/kUnion/kEnum ("" = anon)
    uint64_t n;              // kArray: element count
    std::vector<uint32_t> kids;   // kPtr..kArray: [target]; kFn: [ret, params...]
  };
  uint32_t node(Op op, std::string_view name, uint64_t n, std::vector<uint32_t> kids);
  uint32_t compute_shape(Dwarf_Die* die, int depth);
  void add_body(Dwarf_Die* die, int32_t parent, std::string_view member, uint64_t member_off,
                RawDef& def, int depth);
  void add_enum(Dwarf_Die* die, RawBody& body, RawDef& def);

  bool little_endian_;
  bool flat_arrays_;
  Dwarf_CU* cu_ = nullptr;
  std::unordered_map<uint64_t, uint32_t> cache_;      // DIE offset -> shape id (this unit)
  std::unordered_set<uint64_t> busy_;                 // DIEs being computed (cycle guard)
  std::vector<uint32_t> slots_;                       // hash table of node ids + 1
  std::vector<uint64_t> hashes_;                      // id -> node hash
  std::vector<Node> nodes_;                           // id -> node
  std::vector<std::string> texts_;                    // id -> text ("" = not built yet)
  std::deque<std::string> owned_names_;               // names not in libdw's string data
  void* sink_ctx_ = nullptr;
  void (*sink_)(void*, Dwarf_Die*) = nullptr;
};

// DW_AT_type of `die` (integrated through abstract_origin/specification) into `out`.
bool die_type(Dwarf_Die* die, Dwarf_Die* out);
// Strips modifiers, arrays and pointers; true when what is left is an anonymous
// struct/union/class/enum (written to `out`): such a type is checked as a nested body.
bool anonymous_body(Dwarf_Die* type, Dwarf_Die* out);

}  // namespace btfcheck::dwarfcheck::detail
