#include "btf/records.h"

#include "btf/kinds.h"

namespace btfcheck::btf {

Records Records::of(const Btf& b) {
  Records r;
  r.start_id = b.start_id();
  r.at.reserve(b.own_count());
  r.words.reserve(b.header().type_len / 4);
  for (uint32_t id = b.start_id(); id < b.type_count(); ++id) {
    const Type t = b.type(id);
    r.at.push_back(uint32_t(r.words.size()));
    for (size_t w = 0; w < t.words(); ++w) r.words.push_back(t.word(w));
  }
  return r;
}

std::optional<Records> Records::split(std::vector<uint32_t> type_words, uint32_t start_id) {
  Records r;
  r.start_id = start_id;
  r.words = std::move(type_words);
  for (uint64_t w = 0; w < r.words.size();) {
    if (w + 3 > r.words.size()) return std::nullopt;
    const uint32_t info = r.words[w + 1];
    const uint64_t len = record_words(info_kind(info), info_vlen(info));
    if (len == 0 || w + len > r.words.size()) return std::nullopt;
    r.at.push_back(uint32_t(w));
    w += len;
  }
  return r;
}

uint32_t Records::add(std::span<const uint32_t> record) {
  at.push_back(uint32_t(words.size()));
  words.insert(words.end(), record.begin(), record.end());
  return end_id() - 1;
}

Renumbered drop_records(const Records& in, std::span<const uint8_t> drop) {
  Renumbered out;
  out.records.start_id = in.start_id;
  out.new_id.assign(in.count(), 0);
  for (uint32_t i = 0, next = in.start_id; i < in.count(); ++i)
    if (!drop[i]) out.new_id[i] = next++;
  Records& r = out.records;
  r.words.reserve(in.words.size());
  for (uint32_t i = 0; i < in.count(); ++i) {
    if (drop[i]) continue;
    const uint32_t* w = in.rec(in.start_id + i);
    const uint32_t kind = info_kind(w[1]), vlen = info_vlen(w[1]);
    const size_t o = r.words.size();
    r.at.push_back(uint32_t(o));
    r.words.insert(r.words.end(), w, w + record_words(kind, vlen));
    for_each_ref_word(kind, vlen, [&](uint32_t k) {
      uint32_t& ref = r.words[o + k];
      if (ref < in.start_id) return;
      if (!in.owns(ref)) {
        out.dangling = true;
      } else {
        ref = out.new_id[ref - in.start_id];
        out.dangling |= ref == 0;
      }
    });
  }
  return out;
}

}  // namespace btfcheck::btf
