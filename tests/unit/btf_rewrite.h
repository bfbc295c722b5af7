// Test tools that rewrite a real BTF without changing what it means (permute) or changing
// exactly one semantic field (mutate), for the canonical-graph invariance and diff
// mutation tests. Header-only; operates on base BTF (no split).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/kinds.h"
#include "btf/records.h"
#include "btf/write.h"

namespace btfcheck::testing {

// A BTF as editable records (host-order words, index = id - 1) and a string table.
struct Records {
  std::vector<std::vector<uint32_t>> recs;
  std::string strings;

  static Records from(const btf::Btf& b) {
    Records r;
    for (uint32_t id = 1; id < b.type_count(); ++id) {
      btf::Type t = b.type(id);
      std::vector<uint32_t> w(t.words());
      for (size_t i = 0; i < w.size(); ++i) w[i] = t.word(i);
      r.recs.push_back(std::move(w));
    }
    auto s = b.strings();
    r.strings.assign(s.begin(), s.end());
    return r;
  }
  uint32_t add_string(const std::string& s) {
    const uint32_t off = uint32_t(strings.size());
    strings += s;
    strings.push_back('\0');
    return off;
  }
  std::string str(uint32_t off) const {
    return off < strings.size() ? std::string(strings.c_str() + off) : std::string();
  }
  std::vector<uint8_t> bytes() const {
    std::vector<uint32_t> words;
    for (const auto& r : recs) words.insert(words.end(), r.begin(), r.end());
    return btf::write_blob(words, strings);
  }
  uint32_t kind(uint32_t id) const { return btf::info_kind(recs[id - 1][1]); }
  uint32_t vlen(uint32_t id) const { return btf::info_vlen(recs[id - 1][1]); }
};

// Renumbers every type (a random permutation of ids, records reordered to match), rebuilds
// the string table with its strings in random order plus unused filler, and appends `dups`
// duplicate copies of random struct/union/typedef types with some references redirected
// to the copies. The result means exactly what the input means.
inline std::vector<uint8_t> permute(const btf::Btf& b, uint64_t seed, uint32_t dups = 0) {
  std::mt19937_64 rng(seed);
  Records in = Records::from(b);
  const uint32_t n = uint32_t(in.recs.size());
  std::vector<uint32_t> order(n);   // new position -> old id
  for (uint32_t i = 0; i < n; ++i) order[i] = i + 1;
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<uint32_t> new_id(n + 1, 0);
  for (uint32_t p = 0; p < n; ++p) new_id[order[p]] = p + 1;

  // Strings: every distinct referenced string, shuffled, with filler between.
  std::map<uint32_t, std::string> used;
  for (const auto& r : in.recs)
    btf::for_each_name_word(btf::info_kind(r[1]), btf::info_vlen(r[1]),
                            [&](uint32_t w) { used.emplace(r[w], in.str(r[w])); });
  std::vector<std::string> distinct;
  for (auto& [off, s] : used) distinct.push_back(s);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::shuffle(distinct.begin(), distinct.end(), rng);
  Records out;
  out.strings.assign(1, '\0');
  std::map<std::string, uint32_t> where;
  for (const std::string& s : distinct) {
    if (s.empty()) { where[s] = 0; continue; }
    if (rng() % 4 == 0) out.add_string("filler" + std::to_string(rng() % 1000));
    where[s] = out.add_string(s);
  }
  for (uint32_t p = 0; p < n; ++p) {
    std::vector<uint32_t> r = in.recs[order[p] - 1];
    const uint32_t k = btf::info_kind(r[1]), v = btf::info_vlen(r[1]);
    btf::for_each_ref_word(k, v, [&](uint32_t w) { if (r[w] <= n) r[w] = new_id[r[w]]; });
    btf::for_each_name_word(k, v, [&](uint32_t w) { r[w] = where[in.str(r[w])]; });
    out.recs.push_back(std::move(r));
  }
  // Duplicates: copy a type, then point some referrers at the copy.
  for (uint32_t d = 0; d < dups && n > 0; ++d) {
    const uint32_t id = uint32_t(rng() % n) + 1;
    const uint32_t k = out.kind(id);
    if (k != uint32_t(btf::Kind::Struct) && k != uint32_t(btf::Kind::Union) &&
        k != uint32_t(btf::Kind::Typedef))
      continue;
    out.recs.push_back(out.recs[id - 1]);
    const uint32_t copy = uint32_t(out.recs.size());
    for (uint32_t i = 0; i < copy - 1; ++i) {
      auto& r = out.recs[i];
      if (rng() % 2) continue;
      btf::for_each_ref_word(btf::info_kind(r[1]), btf::info_vlen(r[1]),
                             [&](uint32_t w) { if (r[w] == id) r[w] = copy; });
    }
  }
  return out.bytes();
}

// The closure of `count` random named struct and function types (everything they reach), renumbered
// densely in original id order: a real, self-contained, smaller BTF.
inline std::vector<uint8_t> slice(const btf::Btf& b, uint64_t seed, uint32_t count) {
  std::mt19937_64 rng(seed);
  Records in = Records::from(b);
  const uint32_t n = uint32_t(in.recs.size());
  std::vector<uint8_t> keep(n + 1, 0);
  std::vector<uint32_t> stack;
  for (uint32_t tries = 0; stack.size() < count && tries < 100 * count; ++tries) {
    const uint32_t id = uint32_t(rng() % n) + 1;
    const uint32_t k = in.kind(id);
    if ((k == uint32_t(btf::Kind::Struct) || k == uint32_t(btf::Kind::Func)) &&
        in.recs[id - 1][0] && !keep[id])
      keep[id] = 1, stack.push_back(id);
  }
  while (!stack.empty()) {
    const uint32_t id = stack.back();
    stack.pop_back();
    const auto& r = in.recs[id - 1];
    btf::for_each_ref_word(btf::info_kind(r[1]), btf::info_vlen(r[1]), [&](uint32_t w) {
      if (r[w] && r[w] <= n && !keep[r[w]]) keep[r[w]] = 1, stack.push_back(r[w]);
    });
  }
  std::vector<uint8_t> drop(n);
  for (uint32_t id = 1; id <= n; ++id) drop[id - 1] = !keep[id];
  const btf::Renumbered kept = btf::drop_records(btf::Records::of(b), drop);
  return btf::write_blob(kept.records.words, in.strings);
}

struct Mutation {
  std::vector<uint8_t> bytes;
  std::string path;       // where the diff must report it
  std::string category;   // what it must call it
};

// One random single-field semantic mutation of a named, uniquely-named type, or nullopt
// when the chosen type does not allow the chosen mutation (callers retry).
inline std::optional<Mutation> mutate(const btf::Btf& b, std::mt19937_64& rng) {
  using btf::Kind;
  Records r = Records::from(b);
  const uint32_t n = uint32_t(r.recs.size());
  // Pick the kind first (struct/union 6, enum 1, func 2), then a type of that kind, so
  // rare kinds are mutated too.
  const uint32_t want = rng() % 9;
  std::vector<uint32_t> of_kind;
  for (uint32_t j = 1; j <= n; ++j) {
    const Kind kj = Kind(r.kind(j));
    if (want < 6 ? (kj == Kind::Struct || kj == Kind::Union)
                 : want < 7 ? kj == Kind::Enum : kj == Kind::Func)
      of_kind.push_back(j);
  }
  if (of_kind.empty()) return std::nullopt;
  const uint32_t id = of_kind[rng() % of_kind.size()];
  std::vector<uint32_t>& t = r.recs[id - 1];
  const Kind k = Kind(r.kind(id));
  const uint32_t vlen = r.vlen(id);
  const std::string name = r.str(t[0]);
  if (name.empty()) return std::nullopt;
  // Uniquely named among its kind, so the path names it without a digest suffix.
  for (uint32_t j = 1; j <= n; ++j)
    if (j != id && r.kind(j) == uint32_t(k) && r.str(r.recs[j - 1][0]) == name) return std::nullopt;
  const bool kflag = btf::info_kflag(t[1]);
  // The type under const/volatile/restrict/type tags: replacing a type by that one is a
  // "qualifier" difference, not the mutation's (callers retry).
  auto unqualified = [&](uint32_t ref) {
    for (uint32_t hops = 0; hops < n && ref && ref <= n; ++hops) {
      const Kind rk = Kind(r.kind(ref));
      if (rk != Kind::Const && rk != Kind::Volatile && rk != Kind::Restrict && rk != Kind::TypeTag) break;
      ref = r.recs[ref - 1][2];
    }
    return ref;
  };
  Mutation m;
  auto member_name = [&](uint32_t i) { return r.str(t[3 + 3 * i]); };
  if (k == Kind::Struct || k == Kind::Union) {
    const std::string top = std::string(k == Kind::Struct ? "struct " : "union ") + name;
    if (vlen == 0) return std::nullopt;
    const uint32_t i = uint32_t(rng() % vlen);
    if (member_name(i).empty()) return std::nullopt;
    const std::string mp = top + "." + member_name(i);
    switch (rng() % 7) {
      case 0:   // member offset
        if (k == Kind::Union) return std::nullopt;
        t[5 + 3 * i] += 8;
        m.path = mp, m.category = "offset";
        break;
      case 1: {   // bitfield size, of a random bitfield member
        std::vector<uint32_t> bf;
        for (uint32_t j = 0; kflag && j < vlen; ++j)
          if ((t[5 + 3 * j] >> 24) && !member_name(j).empty()) bf.push_back(j);
        if (bf.empty()) return std::nullopt;
        const uint32_t i = bf[rng() % bf.size()];
        const std::string mp = top + "." + member_name(i);
        const uint32_t bits = t[5 + 3 * i] >> 24;
        t[5 + 3 * i] = (t[5 + 3 * i] & 0xffffff) | ((bits == 1 ? 2 : bits - 1) << 24);
        m.path = mp, m.category = "bitfield";
        break;
      }
      case 2: {   // member type -> another named struct/typedef/int of a different name
        const uint32_t other = uint32_t(rng() % n) + 1;
        const Kind ok = Kind(r.kind(other));
        if ((ok != Kind::Int && ok != Kind::Typedef && ok != Kind::Struct) ||
            other == t[4 + 3 * i] || r.str(r.recs[other - 1][0]).empty())
          return std::nullopt;
        const uint32_t cur = t[4 + 3 * i];
        if (cur <= n && r.str(r.recs[cur - 1][0]) == r.str(r.recs[other - 1][0])) return std::nullopt;
        if (unqualified(cur) == other) return std::nullopt;
        t[4 + 3 * i] = other;
        m.path = mp, m.category = "type";
        break;
      }
      case 3:   // member name
        t[3 + 3 * i] = r.add_string(member_name(i) + "_mut");
        m.path = mp, m.category = "name";
        break;
      case 4:   // size
        t[2] += 8;
        m.path = top, m.category = "size";
        break;
      case 5: {   // added member at the end
        const uint32_t last_off = t[5 + 3 * (vlen - 1)];
        t.insert(t.end(), {r.add_string("added_mut"), t[4 + 3 * (vlen - 1)], last_off});
        t[1] = btf::make_info(uint32_t(k), vlen + 1, kflag);
        m.path = top + ".added_mut", m.category = "member";
        break;
      }
      default:   // removed member
        t.erase(t.begin() + 3 + 3 * i, t.begin() + 6 + 3 * i);
        t[1] = btf::make_info(uint32_t(k), vlen - 1, kflag);
        m.path = mp, m.category = "member";
        break;
    }
  } else if (k == Kind::Enum && vlen > 0) {
    const uint32_t i = uint32_t(rng() % vlen);
    const std::string en = r.str(t[3 + 2 * i]);
    t[4 + 2 * i] += 1;
    // The new value must not collide with another enumerator's (still a valid enum).
    m.path = "enum " + name + "." + en, m.category = "enum-value";
  } else if (k == Kind::Func) {
    const uint32_t proto = t[2];
    if (proto == 0 || proto > n || r.kind(proto) != uint32_t(Kind::FuncProto)) return std::nullopt;
    if (rng() % 2) {
      t[1] = btf::make_info(uint32_t(Kind::Func), vlen == 0 ? 1 : 0, false);
      m.path = "func " + name, m.category = "linkage";
    } else {
      // A private copy of the prototype, so no other function changes with it.
      r.recs.push_back(r.recs[proto - 1]);
      r.recs[id - 1][2] = uint32_t(r.recs.size());
      std::vector<uint32_t>& p = r.recs.back();
      const uint32_t pv = btf::info_vlen(p[1]);
      if (pv == 0) return std::nullopt;
      const uint32_t i = uint32_t(rng() % pv);
      std::vector<uint32_t> ints;
      for (uint32_t j = 1; j <= n; ++j)
        if (r.kind(j) == uint32_t(Kind::Int)) ints.push_back(j);
      if (ints.empty()) return std::nullopt;
      const uint32_t other = ints[rng() % ints.size()];
      if (p[4 + 2 * i] == other || p[4 + 2 * i] == 0) return std::nullopt;
      if (p[4 + 2 * i] <= n && r.str(r.recs[p[4 + 2 * i] - 1][0]) == r.str(r.recs[other - 1][0]))
        return std::nullopt;
      if (unqualified(p[4 + 2 * i]) == other) return std::nullopt;
      p[4 + 2 * i] = other;
      m.path = "func " + name + ".param" + std::to_string(i), m.category = "param";
    }
  } else {
    return std::nullopt;
  }
  m.bytes = r.bytes();
  return m;
}

}  // namespace btfcheck::testing
