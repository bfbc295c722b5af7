// Canonical archive merge (see archive.h).
//
// 1. Parse every member (our reader; framing errors name the member's offset), in parallel.
// 2. Pre-merge (premerge.cc): each member's raw records mapped onto copies kept from
//    earlier members by a strict pairing walk; only the kept types become model nodes
//    (node = a member's type, references remapped into the shared node space and through
//    the mapping; a base is shared by all members).
// 3. canon::refine on that model: the coarsest bisimulation over all members at once, with
//    forwards unified to a fixpoint (partition.cc). Class = one output type; a mapped node
//    is in its image's class.
// 4. Emit: classes in order of their first node (the first member's copy comes first);
//    each class is its first node's original record with every type reference rewritten
//    to the new id of the referenced node's class and every name re-interned in one new
//    string table. Classes whose first node is a base type (or void) are not emitted:
//    references to them keep the base id.
// 5. Sanitize (unless --no-sanitize): sanitize.cc drops or fixes what the kernel would reject.
// Because the record is copied, nothing a model drops (e.g. a struct's kind_flag when it has
// no bitfields) is lost for the representative; the partition only decides which records
// are the same type. The pre-merge changes no output byte (premerge.cc says why; the unit
// tests compare with it switched off).
#include <algorithm>
#include <chrono>
#include <optional>
#include <string_view>
#include <thread>

#include "btf/kinds.h"
#include "btf/load.h"
#include "btf/strings.h"
#include "btf/write.h"
#include "canon/model.h"
#include "canon/partition.h"
#include "canon/rules.h"
#include "encoder/archive/archive.h"
#include "encoder/archive/parallel.h"
#include "encoder/archive/premerge.h"

namespace btfcheck::archive {
namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void report_ambiguities(const canon::Model& m, const canon::Partition& p, uint32_t first_own,
                        Ambiguities& out) {
  // (kind word, name) and class of each named definition / FUNC; forwards left unresolved.
  using Key = std::pair<std::string_view, std::string_view>;
  std::vector<std::pair<Key, uint32_t>> defs, funcs;
  std::vector<Key> unresolved;
  for (uint32_t i = first_own; i < m.nodes.size(); ++i) {
    const canon::Node& n = m.nodes[i];
    if (n.name.empty()) continue;
    if (canon::is_declaration_only(n)) {
      if (!p.resolved_fwd[i]) unresolved.push_back({n.kind == btf::Kind::Fwd ? (n.x ? "union" : "struct") : "enum", n.name});
    } else if (btf::is_composite(n.kind)) {
      defs.push_back({{canon::kind_word(n.kind), n.name}, p.cls[i]});
    } else if (btf::is_any_enum(n.kind)) {
      defs.push_back({{"enum", n.name}, p.cls[i]});
    } else if (n.kind == btf::Kind::Func) {
      funcs.push_back({{"func", n.name}, p.cls[i]});
    }
  }
  // Key -> how many classes, keys in order ("enum" < "struct" < "union": the order of the
  // messages' text).
  auto classes_per_key = [](std::vector<std::pair<Key, uint32_t>>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    std::vector<std::pair<Key, uint32_t>> counts;
    for (const auto& [key, cls] : v)
      if (counts.empty() || counts.back().first != key) counts.push_back({key, 1});
      else ++counts.back().second;
    return counts;
  };
  auto text = [](const Key& k) { return std::string(k.first) + " " + std::string(k.second); };
  const auto def_counts = classes_per_key(defs), func_counts = classes_per_key(funcs);
  std::sort(unresolved.begin(), unresolved.end());
  unresolved.erase(std::unique(unresolved.begin(), unresolved.end()), unresolved.end());
  for (const Key& k : unresolved) {
    auto it = std::lower_bound(def_counts.begin(), def_counts.end(), std::make_pair(k, 0u));
    if (it != def_counts.end() && it->first == k && it->second > 1)
      out.forwards.push_back(text(k) + ": " + std::to_string(it->second) + " definitions");
  }
  for (const auto& [k, n] : func_counts)
    if (n > 1) out.funcs.push_back(text(k) + ": " + std::to_string(n) + " prototypes");
}

// Step 0: only the rules under which merged records stay faithful C.
std::optional<Error> check_rules(const std::vector<std::string>& rules) {
  for (const std::string& r : rules)
    if (r != "param-names" && r != "type-tag-order" && r != "fwd-kind") {
      Error e;
      e.rule = "usage.rule";
      e.message = "rule '" + r + "' cannot be used to merge (param-names, type-tag-order and "
                  "fwd-kind are the ones under which merged records stay faithful C)";
      return e;
    }
  return std::nullopt;
}

// Step 1: every member parsed, in parallel, each into its own slot; errors are reported
// for the first failing member in member order, so -j changes nothing.
Result<std::vector<std::shared_ptr<const btf::Btf>>> parse_members(
    std::span<const uint8_t> bytes, const std::vector<btf::ArchiveMember>& members,
    const std::string& file, const std::string& section,
    const std::shared_ptr<const btf::Btf>& base, unsigned jobs, Stats& stats) {
  std::vector<std::optional<Result<std::shared_ptr<const btf::Btf>>>> parsed(members.size());
  parallel_for(members.size(), jobs, [&](size_t k) {
    const btf::ArchiveMember& am = members[k];
    // Not copied: the parts live only during the merge, `bytes` outlives it.
    parsed[k] = btf::Btf::parse_borrowed(bytes.subspan(am.offset, am.size), nullptr,
                                         {file, section, base});
  });
  std::vector<std::shared_ptr<const btf::Btf>> parts;
  parts.reserve(members.size());
  for (size_t k = 0; k < members.size(); ++k) {
    auto& own = *parsed[k];
    if (!own.ok()) {
      const btf::ArchiveMember& am = members[k];
      Error e = own.error();
      e.offset = e.offset.value_or(0) + am.offset;
      e.message = "archive member at offset " + std::to_string(am.offset) + ": " + e.message;
      return e;
    }
    stats.types_before += (*own)->own_count();
    parts.push_back(*own);
  }
  return parts;
}

// Steps 2 and 3, with where each merged node's record lives and its class.
struct Classified {
  const std::vector<std::shared_ptr<const btf::Btf>>& parts;
  Premerged pm;
  canon::Partition rp;
  // Every node's class is its model node's (premerge.h).
  uint32_t cls(uint32_t i) const { return rp.cls[pm.model_of[i]]; }
  // A forward unified with its definition. A mapped node comes after its image, in its
  // class, and is a unified forward if its image is one.
  bool unified(uint32_t i) const { return rp.resolved_fwd[pm.model_of[i]] != 0 || pm.fwd_mapped[i]; }
  // Where a node's record lives: (part, type id).
  std::pair<size_t, uint32_t> origin(uint32_t node) const {
    const size_t part = size_t(std::upper_bound(pm.offsets.begin(), pm.offsets.end(), node) -
                               pm.offsets.begin()) - 1;
    return {part, parts[part]->start_id() + (node - pm.offsets[part])};
  }
};

// Pre-merge, rules, refinement. When refinement split the definitions of a name the
// pre-merge speculated on (premerge.h), all is redone without the pre-merge: archives
// whose copies differ that much (gcc -gbtf without rules: most names have several
// definitions) gain little from it, and its strict variant would cost as much again.
// Returns when refinement (the last time) began: parse and model time (add_s) ends there.
std::chrono::steady_clock::time_point classify(Classified& c, const std::vector<std::string>& rules,
                                              PremergeOptions popts, Stats& stats,
                                              std::chrono::steady_clock::time_point t0) {
  std::chrono::steady_clock::time_point t1;
  for (;;) {
    c.pm = premerge(c.parts, popts);
    canon::apply_rules(c.pm.model, rules);
    stats.add_s = since(t0);
    t1 = std::chrono::steady_clock::now();
    c.rp = canon::refine(c.pm.model);
    if (check_speculation(c.pm, c.rp.cls).empty()) break;
    ++stats.premerge_retries;
    popts.enabled = false;
  }
  stats.premerge_mapped = c.pm.stats.mapped;
  stats.premerge_kept = c.pm.stats.kept;
  return t1;
}

// Named parameters of a prototype record (param-names erases them in the model).
uint32_t named_params(const btf::Type& t) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < t.vlen(); ++i) k += !t.btf().str_or_empty(t.param(i).name_off).empty();
  return k;
}

// Step 4a: the node each class is written from: its first kept node that is not a unified
// forward, except that a prototype class under param-names takes the member with the most
// parameter names (first wins). Nodes a rule added (canonical modifier chains) have no
// record: a class of added nodes only is not written at all (UINT32_MAX; records refer to
// original nodes, whose classes are written).
std::vector<uint32_t> choose_sources(const Classified& c, bool param_names) {
  const uint32_t classes = c.rp.count();
  std::vector<uint32_t> source(classes, UINT32_MAX);
  for (const uint32_t i : c.pm.kept)
    if (source[c.cls(i)] == UINT32_MAX && !c.unified(i)) source[c.cls(i)] = i;
  if (!param_names) return source;
  std::vector<uint32_t> best(classes, 0);
  std::vector<uint8_t> seen(classes, 0);
  for (size_t part = 0; part < c.parts.size(); ++part) {
    const btf::Btf& b = *c.parts[part];
    for (uint32_t k = 0; k < b.own_count(); ++k) {
      const uint32_t cl = c.cls(c.pm.offsets[part] + k);
      if (source[cl] < c.pm.base_nodes) continue;
      const btf::Type t = b.type(b.start_id() + k);
      if (t.kind() != uint32_t(btf::Kind::FuncProto)) continue;
      const uint32_t named = named_params(t);
      if (!seen[cl] || named > best[cl]) {
        // The first node of the class seen here is its source (nodes ascend).
        if (seen[cl]) source[cl] = c.pm.offsets[part] + k;
        seen[cl] = 1, best[cl] = named;
      }
    }
  }
  return source;
}

// Step 4b: new ids. Base classes keep their base id; the others are numbered in order of
// each class's first original node (the first member's copy first). Returns the classes
// to emit, in id order.
std::vector<uint32_t> number_classes(const Classified& c, const std::vector<uint32_t>& source,
                                     uint32_t first_new, std::vector<uint32_t>& new_id) {
  const uint32_t classes = c.rp.count();
  new_id.assign(classes, 0);
  std::vector<uint32_t> emit;
  for (uint32_t cl = 0; cl < classes; ++cl) {
    const uint32_t r = source[cl];
    if (r == UINT32_MAX) continue;          // added by a rule only
    if (r < c.pm.base_nodes) new_id[cl] = r;   // void or a base type
    else emit.push_back(cl);
  }
  std::vector<uint32_t> first(classes, UINT32_MAX);
  for (size_t k = c.pm.kept.size(); k-- > 0;) first[c.cls(c.pm.kept[k])] = c.pm.kept[k];
  std::sort(emit.begin(), emit.end(), [&](uint32_t x, uint32_t y) { return first[x] < first[y]; });
  for (size_t k = 0; k < emit.size(); ++k) new_id[emit[k]] = first_new + uint32_t(k);
  return emit;
}

// Step 4c: each emitted class's source record with its references rewritten to new ids
// and its names re-interned in one new string table.
std::vector<uint8_t> emit_records(const Classified& c, const std::vector<uint32_t>& emit,
                                  const std::vector<uint32_t>& source,
                                  const std::vector<uint32_t>& new_id, const btf::Btf* base) {
  btf::StringTable strings(base ? base->str_end() : 0);
  std::vector<uint32_t> words;
  for (uint32_t cl : emit) {
    const auto where = c.origin(source[cl]);   // not a structured binding: clang 14 cannot
    const auto part = where.first;               // capture one in the lambda below
    const btf::Btf& b = *c.parts[part];
    const uint32_t start = b.start_id();
    const btf::Type t = b.type(where.second);
    const size_t at = words.size();
    for (size_t i = 0; i < t.words(); ++i) words.push_back(t.word(i));
    btf::for_each_ref_word(t.kind(), t.vlen(), [&](uint32_t w) {
      const uint32_t old = words[at + w];
      uint32_t node = 0;
      if (old >= start && b.valid_id(old)) node = c.pm.offsets[part] + (old - start);
      else if (old < start) node = old;   // void or base
      words[at + w] = new_id[c.cls(node)];
    });
    btf::for_each_name_word(t.kind(), t.vlen(), [&](uint32_t w) {
      words[at + w] = strings.add(b.str_or_empty(words[at + w]));
    });
  }
  return btf::write_blob(words, strings.data());
}

}  // namespace

Result<Merged> merge_canonical(std::span<const uint8_t> bytes, const std::string& file,
                               const std::string& section, std::shared_ptr<const btf::Btf> base,
                               Ambiguities* ambiguities, const CanonicalOptions& options) {
  const std::vector<std::string>& rules = options.rules;
  if (auto e = check_rules(rules)) return *e;
  auto members = btf::split_archive(bytes, file, section);
  if (!members.ok()) return members.error();
  Merged m;
  m.stats.members = members->size();
  m.stats.input_bytes = bytes.size();
  const auto t0 = std::chrono::steady_clock::now();
  const unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  auto parts = parse_members(bytes, *members, file, section, base, jobs, m.stats);
  if (!parts.ok()) return parts.error();
  const bool param_names = std::find(rules.begin(), rules.end(), "param-names") != rules.end();
  Classified c{*parts, {}, {}};
  const auto t1 = classify(c, rules, PremergeOptions{options.premerge, param_names, jobs}, m.stats, t0);
  const std::vector<uint32_t> source = choose_sources(c, param_names);
  std::vector<uint32_t> new_id;
  const std::vector<uint32_t> emit =
      number_classes(c, source, base ? base->type_count() : 1, new_id);
  m.bytes = emit_records(c, emit, source, new_id, base.get());
  m.stats.types_after = uint32_t(emit.size());
  // Step 5: sanitize.
  if (options.sanitize) {
    const auto t2 = std::chrono::steady_clock::now();
    auto merged = btf::Btf::parse(m.bytes, {file, section, base});
    if (!merged.ok()) return merged.error();   // our own writer's framing: never
    m.bytes = sanitize(**merged, m.stats.sanitize);
    m.stats.sanitized = true;
    m.stats.types_after = m.stats.types_after - m.stats.sanitize.dropped() + m.stats.sanitize.types_added;
    m.stats.sanitize_s = since(t2);
  }
  m.stats.dedup_s = since(t1);
  m.stats.bytes_after = m.bytes.size();
  m.stats.bytes_before = 0;
  for (const auto& part : *parts) m.stats.bytes_before += part->bytes().size();
  if (ambiguities) report_ambiguities(c.pm.model, c.rp, c.pm.base_nodes, *ambiguities);
  return m;
}

}  // namespace btfcheck::archive
