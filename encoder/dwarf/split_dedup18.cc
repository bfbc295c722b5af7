// dedup_split_libbpf18 (see batch_encoder.h): split BTF deduplicated as pahole master's
// libbpf 1.8 does it, for --compat=pahole-master.
//
// libbpf v1.7.0 (37027144, recursive typedefs) moved split TYPEDEFs to the struct phase,
// which looks candidates up by btf_hash_typedef (name and info), while btf_dedup_prep still
// files base TYPEDEFs under btf_hash_common (which covers the target id): the two never
// meet, so a split TYPEDEF is never folded into an identical base one, and neither is
// anything that refers to it through PTR, CONST, VOLATILE, RESTRICT, TYPE_TAG, ARRAY,
// FUNC_PROTO, FUNC or DECL_TAG (the reference phase hashes the resolved referent). STRUCT,
// UNION, ENUM, ENUM64, INT, FWD and FLOAT fold as before. Upstream fixed it after v1.8.0
// (5b0f3729, "Fix deduplication of typedef with base definitions"); pahole master's modules
// carry the copies (gf128mul: 313 split types instead of 43).
//
// Reproduced from libbpf 1.1's correct dedup and its map (old id -> new id, read back
// through a .BTF.ext whose func_info records name every split type, which btf__dedup
// rewrites): a type is "tainted" if it is a TYPEDEF or a reference kind reaching one before
// any STRUCT/UNION/ENUM/INT/FWD/FLOAT; a class (the types one canonical id stands for)
// whose canonical is a base type is dropped unless tainted; every other class is written
// once, as its lowest id of the canonical's kind, in the original order, references
// rewritten to the base id of a dropped class or the new id of a kept one.
#include <bpf/btf.h>
#include <bpf/libbpf_legacy.h>   // btf_ext__get_raw_data: the name Debian's libbpf 1.1 exports

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "btf/kinds.h"
#include "btf/records.h"
#include "btf/strings.h"
#include "btf/write.h"
#include "encoder/dwarf/batch_encoder.h"

namespace btfcheck::encode {
namespace {

struct ExtDeleter {
  void operator()(struct btf_ext* e) const { btf_ext__free(e); }
};

// btf__dedup(btf) with the map of every own type id to its id after it (base ids for types
// folded into the base); nullopt when libbpf fails.
std::optional<std::vector<uint32_t>> dedup_with_map(struct btf* btf, uint32_t start) {
  const uint32_t n = btf__type_cnt(btf) - start;
  std::vector<uint32_t> map(btf__type_cnt(btf), 0);
  if (n == 0) return btf__dedup(btf, nullptr) ? std::nullopt : std::optional(map);
  // .BTF.ext: 24-byte header, func_info = rec_size, one section {name_off 0, n records}.
  std::vector<uint32_t> ext(6 + 3 + 2 * size_t(n), 0);
  ext[0] = 0xeB9F | (1u << 16);
  ext[1] = 24;
  ext[3] = 4 * (3 + 2 * n);
  ext[6] = 8;
  ext[8] = n;
  for (uint32_t i = 0; i < n; ++i) {
    ext[9 + 2 * i] = i * 8;
    ext[10 + 2 * i] = start + i;
  }
  std::unique_ptr<struct btf_ext, ExtDeleter> e(
      btf_ext__new(reinterpret_cast<const uint8_t*>(ext.data()), uint32_t(ext.size() * 4)));
  if (!e) return std::nullopt;
  LIBBPF_OPTS(btf_dedup_opts, opts, .btf_ext = e.get());
  if (btf__dedup(btf, &opts)) return std::nullopt;
  uint32_t size = 0;
  const auto* raw = static_cast<const uint8_t*>(btf_ext__get_raw_data(e.get(), &size));
  if (!raw || size < ext.size() * 4) return std::nullopt;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t to = 0;
    std::memcpy(&to, raw + 4 * (10 + 2 * size_t(i)), 4);
    map[start + i] = to;
  }
  return map;
}

bool passes_taint(uint32_t kind) {
  switch (kind) {
    case BTF_KIND_PTR: case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG: case BTF_KIND_ARRAY: case BTF_KIND_FUNC_PROTO: case BTF_KIND_FUNC:
    case BTF_KIND_DECL_TAG:
      return true;
    default:
      return false;
  }
}

// TYPEDEFs and the reference kinds that reach one (see the top of the file).
std::vector<uint8_t> tainted(const btf::Records& p) {
  enum : uint8_t { kUnknown, kVisiting, kNo, kYes };
  std::vector<uint8_t> state(p.end_id(), kUnknown);
  std::vector<uint32_t> stack;
  for (uint32_t root = p.start_id; root < p.end_id(); ++root) {
    if (state[root] != kUnknown) continue;
    stack.push_back(root);
    while (!stack.empty()) {
      const uint32_t id = stack.back();
      const uint32_t kind = p.kind(id);
      if (state[id] == kUnknown) {
        state[id] = kVisiting;
        if (passes_taint(kind))
          btf::for_each_ref_word(kind, p.vlen(id), [&](uint32_t w) {
            const uint32_t r = p.rec(id)[w];
            if (p.owns(r) && state[r] == kUnknown) stack.push_back(r);
          });
        continue;
      }
      stack.pop_back();
      if (state[id] != kVisiting) continue;
      bool yes = kind == BTF_KIND_TYPEDEF;
      if (passes_taint(kind))
        btf::for_each_ref_word(kind, p.vlen(id), [&](uint32_t w) {
          const uint32_t r = p.rec(id)[w];
          yes = yes || (p.owns(r) && state[r] == kYes);
        });
      state[id] = yes ? kYes : kNo;
    }
  }
  std::vector<uint8_t> out(p.end_id(), 0);
  for (uint32_t id = p.start_id; id < p.end_id(); ++id) out[id] = state[id] == kYes;
  return out;
}

}  // namespace

Result<struct btf*> dedup_split_libbpf18(struct btf* btf, std::vector<std::string>* explain,
                                         const std::string& path) {
  auto internal = [&](const std::string& msg) { return file_error(path, "encode.internal", msg); };
  const struct btf* base = btf__base_btf(btf);
  const uint32_t start = btf__type_cnt(base);
  // A copy: the dedup below rewrites `btf`.
  auto own = own_records(btf, path);
  if (!own) return own.error();
  const btf::Records& p = own->records;
  const std::string& strings = own->strings;
  const uint32_t str_base = own->str_base;
  auto map = dedup_with_map(btf, start);
  if (!map) return file_error(path, "encode.dedup", "btf__dedup failed on the split BTF (error " +
                                                        std::to_string(errno) + ")");
  const std::vector<uint8_t> taint = tainted(p);
  auto canon_kind = [&](uint32_t c) { return btf_kind(btf__type_by_id(c < start ? base : btf, c)); };
  auto dropped = [&](uint32_t id) { return (*map)[id] < start && !taint[id]; };
  // Each kept class's representative, then their new ids in original order.
  std::unordered_map<uint32_t, uint32_t> rep;
  for (uint32_t id = start; id < p.end_id(); ++id)
    if (!dropped(id) && p.kind(id) == canon_kind((*map)[id])) rep.emplace((*map)[id], id);
  std::vector<uint32_t> new_id(p.end_id(), 0);
  uint32_t next = start, copies = 0;
  std::vector<std::string_view> typedefs;
  for (uint32_t id = start; id < p.end_id(); ++id) {
    if (dropped(id) || rep.at((*map)[id]) != id) continue;
    new_id[id] = next++;
    if ((*map)[id] >= start) continue;
    ++copies;
    const uint32_t name = p.rec(id)[0];
    if (p.kind(id) == BTF_KIND_TYPEDEF && name >= str_base && name - str_base < strings.size())
      typedefs.push_back(strings.c_str() + (name - str_base));
  }
  auto target = [&](uint32_t r) {
    if (!p.owns(r)) return r;
    return dropped(r) ? (*map)[r] : new_id[rep.at((*map)[r])];
  };
  // The kept records, references rewritten, names re-interned (only what is used).
  btf::Records out;
  out.start_id = start;
  btf::StringTable strs(str_base);
  for (uint32_t id = start; id < p.end_id(); ++id) {
    if (!new_id[id]) continue;
    const uint32_t kind = p.kind(id), vlen = p.vlen(id);
    std::vector<uint32_t> rec(p.rec(id), p.rec(id) + btf::record_words(kind, vlen));
    btf::for_each_ref_word(kind, vlen, [&](uint32_t w) { rec[w] = target(rec[w]); });
    btf::for_each_name_word(kind, vlen, [&](uint32_t w) {
      const uint32_t off = rec[w];
      if (off >= strs.start() && off - strs.start() < strings.size())
        rec[w] = strs.add(strings.c_str() + (off - strs.start()));
    });
    out.add(rec);
  }
  const std::vector<uint8_t> blob = btf::write_blob(out.words, strs.data());
  struct btf* rebuilt = btf_from_raw(blob, base);
  if (!rebuilt) return internal("libbpf rejected the split BTF deduplicated as libbpf 1.8 does");
  if (explain && copies) {
    std::string names;
    for (size_t i = 0; i < typedefs.size() && i < 8; ++i) names += (i ? ", " : "") + std::string(typedefs[i]);
    explain->push_back("split BTF: kept " + std::to_string(copies) + " types the base also has (" +
                       std::to_string(typedefs.size()) + " TYPEDEF: " + names +
                       (typedefs.size() > 8 ? ", ..." : "") +
                       "; and what refers to them): libbpf 1.8's dedup never matches a split TYPEDEF "
                       "with a base one (compat rule libbpf-1.8-split-typedef; fixed after v1.8.0 by "
                       "libbpf 5b0f3729)");
  }
  return rebuilt;
}

}  // namespace btfcheck::encode
