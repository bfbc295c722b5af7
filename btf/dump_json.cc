// JSON dump, the same "types" as `bpftool -j btf dump file F` (bpftool v7.1.0), then what
// bpftool does not print: the target (btf/target.h) and, when the blob has one, the layout
// section of a 32-byte header:
//   {"types":[{"id":1,"kind":"INT","name":"int","size":4,...},...],
//    "target":{"pointer_size":8,"byte_order":"little","arch":"x86_64","from":"elf"},
//    "layout":{"offset":2736084,"length":80,"entries":[{"kind":0,"name":"UNKN",
//              "info_sz":0,"elem_sz":0,"flags":0},...]}}\n
// compact (no spaces), fields in bpftool's order, one trailing newline. ("offset" is
// layout_off, relative to the end of the header, as in the header; an entry's "name" is
// null for a kind this build does not know.)
//
// Design: a second kind switch mirroring dump_raw.cc (the two formats differ in more than
// punctuation: field names, the DATASEC annotation exists only in raw, and numbers follow
// bpftool's json_writer types), writing into one string. Number types copy bpftool:
//   * ENUM with kflag=0 uses jsonw_uint_field on the s32 value, so a negative 32-bit value
//     prints sign-extended to 64 bits (-5 -> 18446744073709551611); kflag=1 prints signed.
//   * ENUM64 values are u64 (kflag=0) or s64 (kflag=1); DECL_TAG component_idx is signed.
// Strings are escaped as valid JSON (", \, control characters as \uXXXX); bytes >= 0x80
// pass through unchanged, as bpftool's writer does.
#include <cstdint>
#include <string>

#include "btf/dump.h"
#include "btf/json.h"
#include "btf/dump_text.h"

namespace btfcheck::dump {
namespace {

using btf::Kind;
using text::Buf;

void json_str(Buf& b, std::string_view s) { json_quote_to(b.str(), s, HighBytes::Raw); }

// Field writers: `first` is false for every field but an object's first.
struct Obj {
  Buf& b;
  bool first = true;
  Buf& key(std::string_view k) {
    if (!first) b << ',';
    first = false;
    b << '"' << k << "\":";
    return b;
  }
  void u(std::string_view k, uint64_t v) { key(k).u(v); }
  void i(std::string_view k, int64_t v) { key(k).i(v); }
  void s(std::string_view k, std::string_view v) { json_str(key(k), v); }
};

void json_type(const btf::Btf& btf, const btf::Type& t, Buf& b) {
  const uint32_t k = t.kind();
  b << '{';
  Obj o{b};
  o.u("id", t.id());
  o.s("kind", text::kind(k));
  o.s("name", text::name(btf, t.name_off()));

  // Opens "KEY":[ ; each element is written by the caller with its own Obj.
  auto array = [&](std::string_view key) { o.key(key) << '['; };

  switch (Kind(k)) {
    case Kind::Int:
      o.u("size", t.size());
      o.u("bits_offset", t.int_offset());
      o.u("nr_bits", t.int_bits());
      o.s("encoding", text::int_encoding(t.int_encoding()));
      break;
    case Kind::Ptr:
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Typedef:
    case Kind::TypeTag:
      o.u("type_id", t.type());
      break;
    case Kind::Array: {
      auto a = t.array();
      o.u("type_id", a.type);
      o.u("index_type_id", a.index_type);
      o.u("nr_elems", a.nelems);
      break;
    }
    case Kind::Struct:
    case Kind::Union: {
      const uint32_t vlen = t.vlen();
      o.u("size", t.size());
      o.u("vlen", vlen);
      array("members");
      for (uint32_t i = 0; i < vlen; ++i) {
        auto m = t.member(i);
        b << (i ? ",{" : "{");
        Obj e{b};
        e.s("name", text::name(btf, m.name_off));
        e.u("type_id", m.type);
        e.u("bits_offset", t.member_bit_offset(i));
        if (uint32_t sz = t.member_bitfield_size(i)) e.u("bitfield_size", sz);
        b << '}';
      }
      b << ']';
      break;
    }
    case Kind::Enum:
    case Kind::Enum64: {
      const bool e64 = Kind(k) == Kind::Enum64;
      const uint32_t vlen = t.vlen();
      o.s("encoding", text::enum_encoding(t.kflag()));
      o.u("size", t.size());
      o.u("vlen", vlen);
      array("values");
      for (uint32_t i = 0; i < vlen; ++i) {
        b << (i ? ",{" : "{");
        Obj e{b};
        if (e64) {
          e.s("name", text::name(btf, t.word(3 + 3 * i)));
          const uint64_t v = t.enum64_value(i);
          if (t.kflag()) e.i("val", int64_t(v));
          else e.u("val", v);
        } else {
          e.s("name", text::name(btf, t.word(3 + 2 * i)));
          const int32_t v = int32_t(t.word(4 + 2 * i));
          if (t.kflag()) e.i("val", v);
          else e.u("val", uint64_t(int64_t(v)));   // bpftool's sign extension, see top
        }
        b << '}';
      }
      b << ']';
      break;
    }
    case Kind::Fwd:
      o.s("fwd_kind", text::fwd_kind(t.kflag()));
      break;
    case Kind::Func:
      o.u("type_id", t.type());
      o.s("linkage", text::func_linkage(t.vlen()));
      break;
    case Kind::FuncProto: {
      const uint32_t vlen = t.vlen();
      o.u("ret_type_id", t.type());
      o.u("vlen", vlen);
      array("params");
      for (uint32_t i = 0; i < vlen; ++i) {
        auto p = t.param(i);
        b << (i ? ",{" : "{");
        Obj e{b};
        e.s("name", text::name(btf, p.name_off));
        e.u("type_id", p.type);
        b << '}';
      }
      b << ']';
      break;
    }
    case Kind::Var:
      o.u("type_id", t.type());
      o.s("linkage", text::var_linkage(t.var_linkage()));
      break;
    case Kind::Datasec: {
      const uint32_t vlen = t.vlen();
      o.u("size", t.size());
      o.u("vlen", vlen);
      array("vars");
      for (uint32_t i = 0; i < vlen; ++i) {
        auto s = t.secinfo(i);
        b << (i ? ",{" : "{");
        Obj e{b};
        e.u("type_id", s.type);
        e.u("offset", s.offset);
        e.u("size", s.size);
        b << '}';
      }
      b << ']';
      break;
    }
    case Kind::Float:
      o.u("size", t.size());
      break;
    case Kind::DeclTag:
      o.u("type_id", t.type());
      o.i("component_idx", t.decl_tag_component());
      break;
    default:
      break;
  }
  b << '}';
}

}  // namespace

void dump_json(const btf::Btf& btf, std::string& out) {
  out.reserve(out.size() + size_t(btf.own_count()) * 160);
  Buf b(out);
  b << "{\"types\":[";
  for (uint32_t id = btf.start_id(); id < btf.type_count(); ++id) {
    if (id != btf.start_id()) b << ',';
    json_type(btf, btf.type(id), b);
  }
  b << "],\"target\":" << btf::target_json(btf.target());
  if (btf.header().has_layout()) {
    b << ",\"layout\":{";
    Obj o{b};
    o.u("offset", btf.header().layout_off);
    o.u("length", btf.header().layout_len);
    o.key("entries") << '[';
    const auto entries = btf.layout();
    for (uint32_t k = 0; k < entries.size(); ++k) {
      b << (k ? ",{" : "{");
      Obj e{b};
      e.u("kind", k);
      if (k <= btf::kMaxKnownKind) e.s("name", btf::kind_name(k));
      else e.key("name") << "null";
      e.u("info_sz", entries[k].info_sz);
      e.u("elem_sz", entries[k].elem_sz);
      e.u("flags", entries[k].flags);
      b << '}';
    }
    b << "]}";
  }
  b << "}\n";
}

}  // namespace btfcheck::dump
