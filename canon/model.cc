#include "canon/model.h"

namespace btfcheck::canon {

const char* kind_word(Kind k) {
  switch (k) {
    case Kind::Unkn: return "void";
    case Kind::Int: return "int";
    case Kind::Ptr: return "ptr";
    case Kind::Array: return "array";
    case Kind::Struct: return "struct";
    case Kind::Union: return "union";
    case Kind::Enum: return "enum";
    case Kind::Fwd: return "fwd";
    case Kind::Typedef: return "typedef";
    case Kind::Volatile: return "volatile";
    case Kind::Const: return "const";
    case Kind::Restrict: return "restrict";
    case Kind::Func: return "func";
    case Kind::FuncProto: return "fn";
    case Kind::Var: return "var";
    case Kind::Datasec: return "datasec";
    case Kind::Float: return "float";
    case Kind::DeclTag: return "decl_tag";
    case Kind::TypeTag: return "type_tag";
    case Kind::Enum64: return "enum64";
  }
  return "?";
}

bool is_declaration_only(const Node& n) {
  return n.kind == Kind::Fwd || (btf::is_any_enum(n.kind) && n.fields.empty());
}

namespace {

// An out-of-range reference (only in invalid BTF) points at void; verify reports it.
uint32_t ref(const btf::Btf& b, uint32_t id) { return b.valid_id(id) ? id : 0; }

Node node_of(const btf::Type& t) {
  const btf::Btf& b = t.btf();
  Node n;
  n.kind = static_cast<Kind>(t.kind());
  n.name = std::string(t.name());
  n.btf_id = t.id();
  const uint32_t vlen = t.vlen();
  // Edges: the record's type references in record order (the kind table's).
  n.edges.reserve(btf::ref_count(t.kind(), vlen));
  btf::for_each_ref_word(t.kind(), vlen,
                         [&](uint32_t w) { n.edges.push_back(ref(b, t.word(w))); });
  // Scalars and fields: what each kind means.
  if (btf::has_size_word(t.kind())) n.size = t.size();
  if (btf::kind_layout(t.kind()).vlen_name >= 0 || n.kind == Kind::Datasec) n.fields.reserve(vlen);
  switch (n.kind) {
    case Kind::Int: n.x = t.int_encoding(), n.y = t.int_bits(), n.z = t.int_offset(); break;
    case Kind::Array: n.size = t.array().nelems; break;
    case Kind::Func: n.x = vlen; break;   // linkage
    case Kind::Var: n.x = t.var_linkage(); break;
    case Kind::DeclTag: n.x = t.decl_tag_component(); break;
    case Kind::Fwd: n.x = t.kflag(); break;
    case Kind::TypeTag: n.x = t.kflag(); break;   // 1: an attribute (6.15), not a type tag
    case Kind::Struct: case Kind::Union:
      for (uint32_t i = 0; i < vlen; ++i)
        n.fields.push_back({std::string(b.str_or_empty(t.member(i).name_off)),
                            t.member_bit_offset(i), t.member_bitfield_size(i)});
      break;
    case Kind::Enum:
      n.x = t.kflag();
      for (uint32_t i = 0; i < vlen; ++i) {
        auto e = t.enumerator(i);
        n.fields.push_back({std::string(b.str_or_empty(e.name_off)), e.value, 0});
      }
      break;
    case Kind::Enum64:
      n.x = t.kflag();
      for (uint32_t i = 0; i < vlen; ++i)
        n.fields.push_back({std::string(b.str_or_empty(t.word(btf::entry_name_word(t.kind(), i)))),
                            static_cast<int64_t>(t.enum64_value(i)), 0});
      break;
    case Kind::FuncProto:
      for (uint32_t i = 0; i < vlen; ++i)
        n.fields.push_back({std::string(b.str_or_empty(t.param(i).name_off)), 0, 0});
      break;
    case Kind::Datasec:
      for (uint32_t i = 0; i < vlen; ++i)
        n.fields.push_back({"", t.secinfo(i).offset, t.secinfo(i).size});
      break;
    default:   // PTR, TYPEDEF, modifiers: their edge is all they are
      break;
  }
  return n;
}

void mark_referenced(Model& m) {
  m.input_referenced.assign(m.nodes.size(), 0);
  for (const Node& n : m.nodes)
    for (uint32_t e : n.edges) m.input_referenced[e] = 1;
}

}  // namespace

Node make_node(const btf::Type& t) { return node_of(t); }

MultiModel prepare_model(std::span<const std::shared_ptr<const btf::Btf>> parts) {
  MultiModel mm;
  Model& m = mm.model;
  m.nodes.emplace_back();   // void
  const btf::Btf* base = parts.empty() ? nullptr : parts[0]->base();
  if (base)
    for (uint32_t id = 1; id < base->type_count(); ++id) m.nodes.push_back(node_of(base->type(id)));
  mm.base_nodes = uint32_t(m.nodes.size());
  size_t total = m.nodes.size();
  for (const auto& p : parts) {
    mm.offsets.push_back(uint32_t(total));
    total += p->own_count();
  }
  m.nodes.resize(total);
  return mm;
}

void fill_part(MultiModel& mm, const btf::Btf& part, size_t p) {
  const uint32_t off = mm.offsets[p], start = part.start_id();
  Node* out = mm.model.nodes.data() + off;
  for (uint32_t id = start; id < part.type_count(); ++id) {
    Node& n = out[id - start];
    n = node_of(part.type(id));
    for (uint32_t& e : n.edges)
      if (e >= start) e = off + (e - start);   // own type; below start: void or base
  }
}

void finish_model(MultiModel& mm) { mark_referenced(mm.model); }

MultiModel build_model(std::span<const std::shared_ptr<const btf::Btf>> parts) {
  MultiModel mm = prepare_model(parts);
  for (size_t p = 0; p < parts.size(); ++p) fill_part(mm, *parts[p], p);
  finish_model(mm);
  return mm;
}

Model build_model(const btf::Btf& btf) {
  Model m;
  m.nodes.reserve(btf.type_count());
  m.nodes.emplace_back();   // void
  for (uint32_t id = 1; id < btf.type_count(); ++id) m.nodes.push_back(node_of(btf.type(id)));
  mark_referenced(m);
  return m;
}

}  // namespace btfcheck::canon
