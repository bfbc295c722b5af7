// Model: the ID-free node graph that canonicalization works on.
//
// Every BTF type (base and split, plus void as node 0) becomes one Node: its kind, its name
// as text, the scalar attributes that make up its identity, its fields (members, params,
// enumerators, DATASEC entries) by name, and its ordered out-edges to other nodes. Type ids
// and string offsets do not survive this step. Normalization rules (rules.h) rewrite the
// model; partition refinement (partition.h) then decides which nodes are equal.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "btf/btf.h"

namespace btfcheck::canon {

// Node kinds are BTF kinds; 0 is void.
using btf::Kind;

struct Field {
  std::string name;
  int64_t a = 0;   // member: bit offset; enumerator: value; DATASEC entry: offset
  int64_t b = 0;   // member: bitfield size (0 = not a bitfield); DATASEC entry: size
};

struct Node {
  Kind kind = Kind::Unkn;
  std::string name;
  uint64_t size = 0;     // STRUCT/UNION/ENUM*/INT/FLOAT/DATASEC size; ARRAY nelems
  int64_t x = 0;         // INT: encoding; FUNC/VAR: linkage; DECL_TAG: component_idx;
                         // TYPE_TAG: kind_flag (an attribute);
                         // FWD: 1 = union; ENUM*: 1 = signed
  int64_t y = 0;         // INT: bits
  int64_t z = 0;         // INT: bit offset
  std::vector<Field> fields;
  // Ordered out-edges: the record's type references in record order (btf/kinds.h).
  // STRUCT/UNION: one per member; FUNC_PROTO: return, then params; ARRAY: element, index;
  // modifiers/TYPEDEF/PTR/FUNC/VAR/TAGs: target; DATASEC: one per entry. Edges name node
  // indices; 0 is void.
  std::vector<uint32_t> edges;
  uint32_t btf_id = 0;   // the id it came from, for messages only (never for identity)
};

struct Model {
  std::vector<Node> nodes;   // nodes[0] is void
  // Set by the fwd-decl rule: a forward declaration is referred to by the name of what it
  // declares ("struct foo") and gets no line of its own, so declaration-only and defined
  // types compare equal.
  bool fwd_as_decl = false;
  // Set by the array-flatten rule: the diff compares arrays by their shape (dimensions
  // through array typedefs, and the innermost element). A one-dimensional array equals a
  // nested one of as many elements (pahole flattens); two nested arrays must agree
  // dimension by dimension, so a nesting in another order stays a difference.
  bool arrays_by_shape = false;
  // Node i was the target of some reference in the input BTF (nodes that rules add are
  // targets by construction and count as referenced). Decides which anonymous types are
  // "unreferenced" and get a line of their own, independently of what rules rewired.
  std::vector<uint8_t> input_referenced;
  bool referenced(size_t i) const { return i >= input_referenced.size() || input_referenced[i]; }
};

// Builds the model of a BTF (its base's types included, ids preserved as indices).
Model build_model(const btf::Btf& btf);

// The model of several BTFs that share one base (or none), e.g. the members of an archive:
// node 0 is void, then the base's types (node = id), then each part's own types in order,
// part p's own id t at node offsets[p] + (t - start_id). References are remapped so that
// parts never see each other's nodes except through the shared base.
struct MultiModel {
  Model model;
  uint32_t base_nodes = 1;             // void + the base's types
  std::vector<uint32_t> offsets;       // first node of each part
};
MultiModel build_model(std::span<const std::shared_ptr<const btf::Btf>> parts);
// build_model(parts) in three steps, for callers that fill the parts in parallel (each part
// writes only its own slots, so the model is the same whatever the order):
// prepare_model sizes the node array and sets void, the base and the offsets; fill_part
// builds part p's nodes; finish_model marks referenced nodes.
MultiModel prepare_model(std::span<const std::shared_ptr<const btf::Btf>> parts);
// One type's node as build_model makes it, its edges still the type ids of `t`'s BTF
// (out-of-range ids already void), for callers that place nodes themselves (the archive
// pre-merge models only the types it did not map onto an earlier copy).
Node make_node(const btf::Type& t);
void fill_part(MultiModel& mm, const btf::Btf& part, size_t p);
void finish_model(MultiModel& mm);

// "struct", "union", "enum", "typedef", ... as used in canonical text.
const char* kind_word(Kind k);
// A declaration without a definition: a FWD, or an ENUM/ENUM64 without enumerators (how
// an incomplete enum is written).
bool is_declaration_only(const Node& n);

}  // namespace btfcheck::canon
