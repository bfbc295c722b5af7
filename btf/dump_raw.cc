// Raw dump, byte-identical to `bpftool btf dump file F` (bpftool v7.1.0 / libbpf 1.1).
//
// Design: one pass over the blob's own ids (split BTF starts after the base's last id, as
// bpftool's dump_btf_raw does), each record formatted by a single kind switch straight into
// the output string. Every field the switch reads lies inside the record, whose length the
// parser has already checked against the type section; type ids printed are never followed
// except for the DATASEC "(KIND 'name')" suffix, which bpftool prints only when the id is
// below the type count (id 0 names the void type: "(UNKNOWN '(anon)')").
//
// Formats per kind (after "[id] KIND 'name'"):
//   INT          " size=%u bits_offset=%u nr_bits=%u encoding=%s"
//   PTR CONST VOLATILE RESTRICT TYPEDEF TYPE_TAG   " type_id=%u"
//   ARRAY        " type_id=%u index_type_id=%u nr_elems=%u"
//   STRUCT UNION " size=%u vlen=%u" + "\n\t'%s' type_id=%u bits_offset=%u[ bitfield_size=%u]"
//   ENUM         " encoding=%s size=%u vlen=%u" + "\n\t'%s' val=%d|%u" (by kflag)
//   ENUM64       same, values "%lldLL" | "%lluULL"
//   FWD          " fwd_kind=struct|union"
//   FUNC         " type_id=%u linkage=%s" (linkage from vlen)
//   FUNC_PROTO   " ret_type_id=%u vlen=%u" + "\n\t'%s' type_id=%u"
//   VAR          " type_id=%u, linkage=%s"   (sic: the comma is bpftool's)
//   DATASEC      " size=%u vlen=%u" + "\n\ttype_id=%u offset=%u size=%u[ (KIND 'name')]"
//   FLOAT        " size=%u"
//   DECL_TAG     " type_id=%u component_idx=%d"
#include <cstdint>
#include <string>

#include "btf/dump.h"
#include "btf/dump_text.h"

namespace btfcheck::dump {
namespace {

using btf::Kind;
using text::Buf;

void quoted(Buf& b, std::string_view s) { b << '\'' << s << '\''; }

void raw_type(const btf::Btf& btf, const btf::Type& t, Buf& b) {
  const uint32_t k = t.kind();
  b << '[';
  b.u(t.id()) << "] " << text::kind(k) << ' ';
  quoted(b, text::name(btf, t.name_off()));

  switch (Kind(k)) {
    case Kind::Int:
      b << " size=";
      b.u(t.size()) << " bits_offset=";
      b.u(t.int_offset()) << " nr_bits=";
      b.u(t.int_bits()) << " encoding=" << text::int_encoding(t.int_encoding());
      break;
    case Kind::Ptr:
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Typedef:
    case Kind::TypeTag:
      b << " type_id=";
      b.u(t.type());
      break;
    case Kind::Array: {
      auto a = t.array();
      b << " type_id=";
      b.u(a.type) << " index_type_id=";
      b.u(a.index_type) << " nr_elems=";
      b.u(a.nelems);
      break;
    }
    case Kind::Struct:
    case Kind::Union: {
      const uint32_t vlen = t.vlen();
      b << " size=";
      b.u(t.size()) << " vlen=";
      b.u(vlen);
      for (uint32_t i = 0; i < vlen; ++i) {
        auto m = t.member(i);
        b << "\n\t";
        quoted(b, text::name(btf, m.name_off));
        b << " type_id=";
        b.u(m.type) << " bits_offset=";
        b.u(t.member_bit_offset(i));
        if (uint32_t sz = t.member_bitfield_size(i)) {
          b << " bitfield_size=";
          b.u(sz);
        }
      }
      break;
    }
    case Kind::Enum: {
      const uint32_t vlen = t.vlen();
      b << " encoding=" << text::enum_encoding(t.kflag()) << " size=";
      b.u(t.size()) << " vlen=";
      b.u(vlen);
      for (uint32_t i = 0; i < vlen; ++i) {
        const uint32_t raw = t.word(4 + 2 * i);
        b << "\n\t";
        quoted(b, text::name(btf, t.word(3 + 2 * i)));
        b << " val=";
        if (t.kflag())
          b.i(int32_t(raw));
        else
          b.u(raw);
      }
      break;
    }
    case Kind::Enum64: {
      const uint32_t vlen = t.vlen();
      b << " encoding=" << text::enum_encoding(t.kflag()) << " size=";
      b.u(t.size()) << " vlen=";
      b.u(vlen);
      for (uint32_t i = 0; i < vlen; ++i) {
        const uint64_t v = t.enum64_value(i);
        b << "\n\t";
        quoted(b, text::name(btf, t.word(3 + 3 * i)));
        b << " val=";
        if (t.kflag())
          b.i(int64_t(v)) << "LL";
        else
          b.u(v) << "ULL";
      }
      break;
    }
    case Kind::Fwd:
      b << " fwd_kind=" << text::fwd_kind(t.kflag());
      break;
    case Kind::Func:
      b << " type_id=";
      b.u(t.type()) << " linkage=" << text::func_linkage(t.vlen());
      break;
    case Kind::FuncProto: {
      const uint32_t vlen = t.vlen();
      b << " ret_type_id=";
      b.u(t.type()) << " vlen=";
      b.u(vlen);
      for (uint32_t i = 0; i < vlen; ++i) {
        auto p = t.param(i);
        b << "\n\t";
        quoted(b, text::name(btf, p.name_off));
        b << " type_id=";
        b.u(p.type);
      }
      break;
    }
    case Kind::Var:
      b << " type_id=";
      b.u(t.type()) << ", linkage=" << text::var_linkage(t.var_linkage());
      break;
    case Kind::Datasec: {
      const uint32_t vlen = t.vlen();
      b << " size=";
      b.u(t.size()) << " vlen=";
      b.u(vlen);
      for (uint32_t i = 0; i < vlen; ++i) {
        auto s = t.secinfo(i);
        b << "\n\ttype_id=";
        b.u(s.type) << " offset=";
        b.u(s.offset) << " size=";
        b.u(s.size);
        if (s.type == 0) {
          b << " (UNKNOWN '(anon)')";
        } else if (btf.valid_id(s.type)) {
          btf::Type v = btf.type(s.type);
          b << " (" << text::kind(v.kind()) << ' ';
          quoted(b, text::name(v.btf(), v.name_off()));
          b << ')';
        }
      }
      break;
    }
    case Kind::Float:
      b << " size=";
      b.u(t.size());
      break;
    case Kind::DeclTag:
      b << " type_id=";
      b.u(t.type()) << " component_idx=";
      b.i(t.decl_tag_component());
      break;
    default:
      break;
  }
}

}  // namespace

std::string raw_type_line(const btf::Btf& btf, uint32_t id) {
  std::string s;
  if (id == 0 || !btf.valid_id(id)) return s;
  Buf b(s);
  raw_type(btf, btf.type(id), b);
  return s;
}

void dump_raw(const btf::Btf& btf, std::string& out) {
  // ~95 bytes per type on a vmlinux; one reservation avoids most regrowth.
  out.reserve(out.size() + size_t(btf.own_count()) * 100);
  Buf b(out);
  for (uint32_t id = btf.start_id(); id < btf.type_count(); ++id) {
    raw_type(btf, btf.type(id), b);
    b << '\n';
  }
}

}  // namespace btfcheck::dump
