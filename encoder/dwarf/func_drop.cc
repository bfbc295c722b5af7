// settle_func_drops (see batch_encoder.h, func_encoder.cc).
//
// Runs once, on the deduplicated BTF, in the order the drops were queued (turn order), so
// the result is a function of the input only. A "superseded" name has, in id order, the
// FUNC of the CU that claimed it first without an address and then the FUNC of the
// subprogram at the symbol's address: when dedup left two, every FUNC of the name but the
// last goes; when it left one, the prototypes were equal and nothing goes. An "all" drop
// removes every FUNC of the name. DECL_TAGs on a removed FUNC go with it; a FUNC_PROTO
// goes when removed FUNCs were all that referred to it. Everything else keeps its record,
// with type ids renumbered; the string section is kept as it is.
#include <bpf/btf.h>

#include <cstring>
#include <unordered_map>

#include "btf/kinds.h"
#include "btf/write.h"
#include "encoder/dwarf/batch_encoder.h"

namespace btfcheck::encode {

Result<struct btf*> settle_func_drops(struct btf* btf, const std::vector<FuncDrop>& drops,
                                      std::vector<std::string>* explain, const std::string& path) {
  uint32_t dropped = 0;
  if (drops.empty()) return btf;
  auto internal = [&](const std::string& msg) { return file_error(path, "encode.internal", msg); };
  const struct btf* base = btf__base_btf(btf);
  const uint32_t start = base ? btf__type_cnt(base) : 1;
  const uint32_t n = btf__type_cnt(btf);
  uint32_t raw_size = 0;
  const auto* raw = static_cast<const uint8_t*>(btf__raw_data(btf, &raw_size));
  if (!raw || raw_size < sizeof(struct btf_header)) return internal("cannot serialize the BTF");
  struct btf_header hdr;
  std::memcpy(&hdr, raw, sizeof hdr);
  const uint8_t* types = raw + hdr.hdr_len + hdr.type_off;
  const uint32_t nwords = hdr.type_len / 4;
  std::vector<uint32_t> words(nwords);
  std::memcpy(words.data(), types, size_t(nwords) * 4);
  // First word of every own type (index id - start).
  std::vector<uint32_t> at(n - start);
  for (uint32_t id = start, w = 0; id < n; ++id) {
    if (w + 3 > nwords) return internal("type section shorter than its types");
    at[id - start] = w;
    const uint32_t info = words[w + 1];
    const uint64_t len = btf::record_words(btf::info_kind(info), btf::info_vlen(info));
    if (len == 0 || w + len > nwords) return internal("unknown kind in the encoded BTF");
    w += uint32_t(len);
  }
  auto kind_of = [&](uint32_t id) { return btf::info_kind(words[at[id - start] + 1]); };

  std::unordered_map<std::string_view, std::vector<uint32_t>> funcs_of;
  for (const FuncDrop& d : drops) funcs_of.emplace(d.name, std::vector<uint32_t>{});
  for (uint32_t id = start; id < n; ++id) {
    if (kind_of(id) != BTF_KIND_FUNC) continue;
    const char* name = btf__name_by_offset(btf, words[at[id - start]]);
    if (auto it = funcs_of.find(name ? name : ""); it != funcs_of.end()) it->second.push_back(id);
  }
  std::vector<uint8_t> gone(n, 0);
  std::unordered_map<std::string_view, bool> all_drop;
  for (const FuncDrop& d : drops)
    if (d.all) all_drop[d.name] = true;
  for (const FuncDrop& d : drops) {
    const std::vector<uint32_t>& ids = funcs_of[d.name];
    if (d.all) {
      for (uint32_t id : ids) gone[id] = 1;
      if (explain) explain->push_back(std::string(d.name) + ": skipped: " + d.why);
    } else if (!all_drop.count(d.name) && ids.size() >= 2) {
      for (size_t i = 0; i + 1 < ids.size(); ++i) gone[ids[i]] = 1;
      if (explain) explain->push_back(std::string(d.name) + ": replaced: " + d.why);
    }
  }
  // Referrer counts, then the cascade to tags and prototypes.
  std::vector<uint32_t> refs(n, 0);
  for (uint32_t id = start; id < n; ++id) {
    const uint32_t w = at[id - start];
    const uint32_t info = words[w + 1];
    btf::for_each_ref_word(btf::info_kind(info), btf::info_vlen(info), [&](uint32_t k) {
      const uint32_t t = words[w + k];
      if (t >= start && t < n) ++refs[t];
    });
  }
  for (uint32_t id = start; id < n; ++id) {
    const uint32_t w = at[id - start];
    const uint32_t target = words[w + 2];
    if (kind_of(id) == BTF_KIND_DECL_TAG && target >= start && target < n && gone[target]) gone[id] = 1;
    if (kind_of(id) != BTF_KIND_FUNC || !gone[id]) continue;
    ++dropped;
    if (target >= start && target < n && --refs[target] == 0 && kind_of(target) == BTF_KIND_FUNC_PROTO)
      gone[target] = 1;
  }
  if (dropped == 0) return btf;
  std::vector<uint32_t> new_id(n, 0);
  for (uint32_t id = 0; id < start; ++id) new_id[id] = id;
  for (uint32_t id = start, next = start; id < n; ++id)
    if (!gone[id]) new_id[id] = next++;
  std::vector<uint32_t> out;
  out.reserve(nwords);
  bool dangling = false;
  for (uint32_t id = start; id < n; ++id) {
    if (gone[id]) continue;
    const uint32_t w = at[id - start];
    const uint32_t info = words[w + 1];
    const size_t o = out.size();
    out.insert(out.end(), words.begin() + w,
               words.begin() + w + btf::record_words(btf::info_kind(info), btf::info_vlen(info)));
    btf::for_each_ref_word(btf::info_kind(info), btf::info_vlen(info), [&](uint32_t k) {
      const uint32_t t = out[o + k];
      if (t >= n || (t >= start && gone[t])) dangling = true;
      else out[o + k] = new_id[t];
    });
  }
  if (dangling) return internal("a dropped FUNC is still referred to");
  const std::string_view strings(reinterpret_cast<const char*>(raw) + hdr.hdr_len + hdr.str_off,
                                 hdr.str_len);
  const std::vector<uint8_t> blob = btf::write_blob(out, strings);
  struct btf* rebuilt = btf_from_raw(std::string(blob.begin(), blob.end()), base);
  if (!rebuilt) return internal("libbpf rejected the BTF without the dropped FUNCs");
  return rebuilt;
}

}  // namespace btfcheck::encode
