// distilled_base: split BTF re-based on a distilled base, as libbpf's btf__distill_base
// (libbpf >= 1.5; Debian's libbpf 1.1 has none) and pahole's --btf_features=distilled_base
// write it for out-of-tree modules (the kernel relocates it onto its vmlinux at load):
//  1. every base type the split BTF refers to is needed, and what it refers to, except
//     through a named struct or union (its distilled form has no members); a reference to a
//     base FUNC, VAR, DATASEC or tag is an error;
//  2. the distilled base gets the needed INTs, FLOATs and FWDs as they are, named structs and
//     unions as memberless ones of their size, named enums as sized ENUMs without values;
//  3. the new split BTF is the old split types, then the other needed base types in full
//     (anonymous composites and enums, arrays, typedefs, pointers, modifiers, prototypes,
//     type tags), with every id renumbered: base ids to their new place, split ids shifted
//     down by how much smaller the base became.
#include <bpf/btf.h>

#include <cstring>
#include <vector>

#include "btf/kinds.h"
#include "encoder/dwarf/distill.h"

namespace btfcheck::encode {
namespace {

struct Distiller {
  const struct btf* src;
  uint32_t split_start;
  std::vector<int64_t> id_map;   // old base id -> marker (itself), then its new id
  std::string error;

  static uint32_t* words(const struct btf_type* t) {
    return reinterpret_cast<uint32_t*>(const_cast<struct btf_type*>(t));
  }

  bool mark(uint32_t id) {
    const struct btf_type* t = btf__type_by_id(src, id);
    bool ok = true;
    btf::for_each_ref_word(btf_kind(t), btf_vlen(t), [&](uint32_t w) {
      const uint32_t ref = words(t)[w];
      if (!ok || ref == 0 || ref >= split_start || id_map[ref] > 0) return;
      const struct btf_type* b = btf__type_by_id(src, ref);
      switch (btf_kind(b)) {
        case BTF_KIND_INT: case BTF_KIND_FLOAT: case BTF_KIND_FWD: case BTF_KIND_ARRAY:
        case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_TYPEDEF: case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64: case BTF_KIND_PTR: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
        case BTF_KIND_VOLATILE: case BTF_KIND_FUNC_PROTO: case BTF_KIND_TYPE_TAG:
          id_map[ref] = ref;
          break;
        default:
          error = "type [" + std::to_string(id) + "] refers to base type [" + std::to_string(ref) +
                  "] of kind " + std::string(btf::kind_name(btf_kind(b))) +
                  ", which a distilled base cannot hold";
          ok = false;
          return;
      }
      if (btf_is_composite(b) && b->name_off) return;   // memberless in the distilled base
      ok = mark(ref);
    });
    return ok;
  }

  // Adds the needed base types that belong to `dst` (the distilled base, or the new split).
  bool add(struct btf* dst, bool to_base) {
    int next = static_cast<int>(btf__type_cnt(dst));
    for (uint32_t i = 1; i < split_start; ++i) {
      if (!id_map[i]) continue;
      const struct btf_type* t = btf__type_by_id(src, i);
      const char* name = btf__name_by_offset(src, t->name_off);
      int err = 0;
      switch (btf_kind(t)) {
        case BTF_KIND_INT: case BTF_KIND_FLOAT: case BTF_KIND_FWD:
          if (!to_base) continue;
          err = btf__add_type(dst, src, t);
          break;
        case BTF_KIND_STRUCT: case BTF_KIND_UNION:
          if (to_base != (t->name_off != 0)) continue;
          err = !to_base ? btf__add_type(dst, src, t)
                : btf_is_struct(t) ? btf__add_struct(dst, name, t->size)
                                   : btf__add_union(dst, name, t->size);
          break;
        case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
          if (to_base != (t->name_off != 0)) continue;
          err = to_base ? btf__add_enum(dst, name, t->size) : btf__add_type(dst, src, t);
          break;
        default:   // ARRAY, TYPEDEF, PTR, modifiers, FUNC_PROTO, TYPE_TAG
          if (to_base) continue;
          err = btf__add_type(dst, src, t);
          break;
      }
      if (err < 0) {
        error = "cannot add base type [" + std::to_string(i) + "]";
        return false;
      }
      id_map[i] = next++;
    }
    return true;
  }
};

}  // namespace

Result<Distilled> distill_base(const struct btf* src, bool big_endian, const std::string& path) {
  auto fail = [&](const std::string& msg) { return file_error(path, "encode.distill", msg); };
  const struct btf* old_base = btf__base_btf(src);
  if (!old_base) return fail("distilled_base needs split BTF (--base)");
  const uint32_t n = btf__type_cnt(src);
  Distiller d{src, btf__type_cnt(old_base), std::vector<int64_t>(n, 0), {}};
  for (uint32_t i = d.split_start; i < n; ++i)
    if (!d.mark(i)) return fail(d.error);
  struct Owned {
    struct btf* p = nullptr;
    ~Owned() { btf__free(p); }
  } base, split;
  base.p = btf__new_empty();
  if (!base.p) return fail("cannot create the distilled base");
  const enum btf_endianness endian = big_endian ? BTF_BIG_ENDIAN : BTF_LITTLE_ENDIAN;
  btf__set_endianness(base.p, endian);
  if (!d.add(base.p, true)) return fail(d.error);
  split.p = btf__new_empty_split(base.p);
  if (!split.p) return fail("cannot create the split BTF");
  btf__set_endianness(split.p, endian);
  for (uint32_t i = d.split_start; i < n; ++i)
    if (btf__add_type(split.p, src, btf__type_by_id(src, i)) < 0)
      return fail("cannot copy type [" + std::to_string(i) + "]");
  if (!d.add(split.p, false)) return fail(d.error);
  const uint32_t shift = d.split_start - btf__type_cnt(base.p);
  const uint32_t total = btf__type_cnt(split.p);
  for (uint32_t i = btf__type_cnt(base.p); i < total; ++i) {
    const struct btf_type* t = btf__type_by_id(split.p, i);
    uint32_t* w = Distiller::words(t);
    btf::for_each_ref_word(btf_kind(t), btf_vlen(t), [&](uint32_t k) {
      uint32_t& ref = w[k];
      if (ref < n && d.id_map[ref]) ref = static_cast<uint32_t>(d.id_map[ref]);
      else if (ref >= d.split_start) ref -= shift;
    });
  }
  Distilled out;
  uint32_t size = 0;
  const void* raw = btf__raw_data(base.p, &size);
  if (!raw) return fail("cannot serialize the distilled base");
  out.base.assign(static_cast<const char*>(raw), size);
  raw = btf__raw_data(split.p, &size);
  if (!raw) return fail("cannot serialize the split BTF");
  out.split.assign(static_cast<const char*>(raw), size);
  return out;
}

}  // namespace btfcheck::encode
