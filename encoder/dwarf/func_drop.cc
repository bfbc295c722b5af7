// settle_func_drops (see batch_encoder.h, func_encoder.cc, true_sig.cc).
//
// Runs once, on the deduplicated BTF, in the order the drops were queued (turn order), so
// the result is a function of the input only. A "superseded" name has, in id order, the
// FUNC of the CU that claimed it first without an address and then the FUNC of the
// subprogram at the symbol's address: when dedup left two, every FUNC of the name but the
// last goes; when it left one, the prototypes were equal and nothing goes. An "all" drop
// removes every FUNC of the name; a "renamed" one too, and says so instead of the name's
// other reasons. A clone name two states wrote keeps its first or last FUNC. DECL_TAGs on
// a removed FUNC go with it; a FUNC_PROTO goes when removed FUNCs were all that referred
// to it. Everything else keeps its record, with type ids renumbered; the string section is
// kept as it is.
#include <bpf/btf.h>

#include <cstring>
#include <unordered_map>

#include "btf/kinds.h"
#include "btf/records.h"
#include "btf/write.h"
#include "encoder/dwarf/batch_encoder.h"

namespace btfcheck::encode {

uint32_t base_str_size(const struct btf* base) {
  uint32_t size = 0;
  const void* raw = btf__raw_data(base, &size);
  if (!raw || size < sizeof(struct btf_header)) return 0;
  return static_cast<const struct btf_header*>(raw)->str_len;
}

Result<OwnRecords> own_records(const struct btf* btf, const std::string& path) {
  auto internal = [&](const std::string& msg) { return file_error(path, "encode.internal", msg); };
  const struct btf* base = btf__base_btf(btf);
  uint32_t raw_size = 0;
  const auto* raw = static_cast<const uint8_t*>(btf__raw_data(btf, &raw_size));
  if (!raw || raw_size < sizeof(struct btf_header)) return internal("cannot serialize the BTF");
  struct btf_header hdr;
  std::memcpy(&hdr, raw, sizeof hdr);
  std::vector<uint32_t> type_words(hdr.type_len / 4);
  std::memcpy(type_words.data(), raw + hdr.hdr_len + hdr.type_off, type_words.size() * 4);
  auto records = btf::Records::split(std::move(type_words), base ? btf__type_cnt(base) : 1);
  if (!records || records->end_id() != btf__type_cnt(btf))
    return internal("malformed type section in the encoded BTF");
  return OwnRecords{std::move(*records),
                    std::string(reinterpret_cast<const char*>(raw) + hdr.hdr_len + hdr.str_off, hdr.str_len),
                    base ? base_str_size(base) : 0};
}

Result<struct btf*> drop_types(struct btf* btf, std::vector<uint8_t> gone, const std::string& path) {
  auto internal = [&](const std::string& msg) { return file_error(path, "encode.internal", msg); };
  const struct btf* base = btf__base_btf(btf);
  const uint32_t start = base ? btf__type_cnt(base) : 1;
  const uint32_t n = btf__type_cnt(btf);
  if (gone.size() != n) return internal("drop list of the wrong size");
  auto own = own_records(btf, path);
  if (!own) return own.error();
  const btf::Records& recs = own->records;
  // Referrer counts, then the cascade to tags and prototypes.
  std::vector<uint32_t> refs(n, 0);
  for (uint32_t id = start; id < n; ++id)
    btf::for_each_ref_word(recs.kind(id), recs.vlen(id), [&](uint32_t k) {
      if (recs.owns(recs.rec(id)[k])) ++refs[recs.rec(id)[k]];
    });
  uint32_t dropped = 0;
  for (uint32_t id = start; id < n; ++id) {
    const uint32_t target = recs.rec(id)[2];
    if (recs.kind(id) == BTF_KIND_DECL_TAG && recs.owns(target) && gone[target]) gone[id] = 1;
    if (!gone[id]) continue;
    ++dropped;
    if (recs.kind(id) == BTF_KIND_FUNC && recs.owns(target) && --refs[target] == 0 &&
        recs.kind(target) == BTF_KIND_FUNC_PROTO)
      gone[target] = 1;
  }
  if (dropped == 0) return btf;
  const btf::Renumbered kept = btf::drop_records(recs, std::span<const uint8_t>(gone).subspan(start));
  if (kept.dangling) return internal("a dropped type is still referred to");
  const std::vector<uint8_t> blob = btf::write_blob(kept.records.words, own->strings);
  struct btf* rebuilt = btf_from_raw(blob, base);
  if (!rebuilt) return internal("libbpf rejected the BTF without the dropped types");
  return rebuilt;
}

Result<struct btf*> settle_func_drops(struct btf* btf, const std::vector<FuncDrop>& drops,
                                      std::vector<std::string>* explain, const std::string& path) {
  if (drops.empty()) return btf;
  const struct btf* base = btf__base_btf(btf);
  const uint32_t start = base ? btf__type_cnt(base) : 1;
  const uint32_t n = btf__type_cnt(btf);
  std::unordered_map<std::string_view, std::vector<uint32_t>> funcs_of;
  for (const FuncDrop& d : drops) funcs_of.emplace(d.name, std::vector<uint32_t>{});
  for (uint32_t id = start; id < n; ++id) {
    const struct btf_type* t = btf__type_by_id(btf, id);
    if (!btf_is_func(t)) continue;
    const char* name = btf__name_by_offset(btf, t->name_off);
    if (auto it = funcs_of.find(name ? name : ""); it != funcs_of.end()) it->second.push_back(id);
  }
  std::vector<uint8_t> gone(n, 0);
  std::unordered_map<std::string_view, bool> all_drop, renamed;
  for (const FuncDrop& d : drops) {
    if (d.kind == FuncDrop::kAll || d.kind == FuncDrop::kRenamed) all_drop[d.name] = true;
    if (d.kind == FuncDrop::kRenamed) renamed[d.name] = true;
  }
  for (const FuncDrop& d : drops) {
    const std::vector<uint32_t>& ids = funcs_of[d.name];
    const bool say = explain && !renamed.count(d.name);   // a renamed name says only that
    switch (d.kind) {
      case FuncDrop::kAll:
        for (uint32_t id : ids) gone[id] = 1;
        if (say && !d.why.empty()) explain->push_back(std::string(d.name) + ": skipped: " + d.why);
        break;
      case FuncDrop::kRenamed:
        for (uint32_t id : ids) gone[id] = 1;
        if (explain) explain->push_back(std::string(d.name) + ": renamed: " + d.why);
        break;
      case FuncDrop::kSuperseded:
        if (all_drop.count(d.name) || ids.size() < 2) break;
        for (size_t i = 0; i + 1 < ids.size(); ++i) gone[ids[i]] = 1;
        if (say) explain->push_back(std::string(d.name) + ": replaced: " + d.why);
        break;
      case FuncDrop::kKeepFirst:
      case FuncDrop::kKeepLast:
        for (size_t i = 0; i < ids.size(); ++i)
          if (i != (d.kind == FuncDrop::kKeepFirst ? 0 : ids.size() - 1)) gone[ids[i]] = 1;
        break;
    }
  }
  return drop_types(btf, std::move(gone), path);
}

}  // namespace btfcheck::encode
