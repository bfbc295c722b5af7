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

}  // namespace

Result<Merged> merge_canonical(std::span<const uint8_t> bytes, const std::string& file,
                               const std::string& section, std::shared_ptr<const btf::Btf> base,
                               Ambiguities* ambiguities, const CanonicalOptions& options) {
  const std::vector<std::string>& rules = options.rules;
  for (const std::string& r : rules)
    if (r != "param-names" && r != "type-tag-order" && r != "fwd-kind") {
      Error e;
      e.rule = "usage.rule";
      e.message = "rule '" + r + "' cannot be used to merge (param-names, type-tag-order and "
                  "fwd-kind are the ones under which merged records stay faithful C)";
      return e;
    }
  auto members = btf::split_archive(bytes, file, section);
  if (!members.ok()) return members.error();
  Merged m;
  m.stats.members = members->size();
  m.stats.input_bytes = bytes.size();
  const auto t0 = std::chrono::steady_clock::now();
  // Members are parsed and modelled in parallel, each into its own slot; errors are
  // reported for the first failing member in member order, so -j changes nothing.
  const unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::optional<Result<std::shared_ptr<const btf::Btf>>>> parsed(members->size());
  parallel_for(members->size(), jobs, [&](size_t k) {
    const btf::ArchiveMember& am = (*members)[k];
    const auto span = bytes.subspan(am.offset, am.size);
    // Not copied: the parts live only during this call, `bytes` outlives it.
    parsed[k] = btf::Btf::parse_borrowed(span, nullptr, {file, section, base});
  });
  std::vector<std::shared_ptr<const btf::Btf>> parts;
  parts.reserve(members->size());
  for (size_t k = 0; k < members->size(); ++k) {
    auto& own = *parsed[k];
    if (!own.ok()) {
      const btf::ArchiveMember& am = (*members)[k];
      Error e = own.error();
      e.offset = e.offset.value_or(0) + am.offset;
      e.message = "archive member at offset " + std::to_string(am.offset) + ": " + e.message;
      return e;
    }
    m.stats.types_before += (*own)->own_count();
    parts.push_back(*own);
  }
  parsed.clear();
  const bool param_names = std::find(rules.begin(), rules.end(), "param-names") != rules.end();
  // Pre-merge, rules, refinement. When refinement split the definitions of a name the
  // pre-merge speculated on (premerge.h), all is redone without the pre-merge: archives
  // whose copies differ that much (gcc -gbtf without rules: most names have several
  // definitions) gain little from it, and its strict variant would cost as much again.
  PremergeOptions popts{options.premerge, param_names, jobs};
  Premerged pm;
  canon::Partition rp;
  std::chrono::steady_clock::time_point t1;
  for (;;) {
    pm = premerge(parts, popts);
    canon::apply_rules(pm.model, rules);
    m.stats.add_s = since(t0);
    t1 = std::chrono::steady_clock::now();
    rp = canon::refine(pm.model);
    const std::vector<uint64_t> split = check_speculation(pm, rp.cls);
    if (split.empty()) break;
    ++m.stats.premerge_retries;
    popts.enabled = false;
  }
  m.stats.premerge_mapped = pm.stats.mapped;
  m.stats.premerge_kept = pm.stats.kept;
  // Where each node's record lives: (part, type id).
  auto origin = [&](uint32_t node) {
    const size_t part = size_t(std::upper_bound(pm.offsets.begin(), pm.offsets.end(), node) -
                               pm.offsets.begin()) - 1;
    return std::make_pair(part, parts[part]->start_id() + (node - pm.offsets[part]));
  };
  // Named parameters of a prototype record (param-names erases them in the model).
  auto named_params = [&](const btf::Type& t) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < t.vlen(); ++i) k += !t.btf().str_or_empty(t.param(i).name_off).empty();
    return k;
  };
  // Every node's class is its model node's (premerge.h). A mapped node comes after its
  // image, in its class, and is a unified forward if its image is one: every class's first
  // node and first non-unified node are kept nodes, so only those are scanned for them.
  auto cls = [&](uint32_t i) { return rp.cls[pm.model_of[i]]; };
  auto unified = [&](uint32_t i) {   // a forward unified with its definition
    return rp.resolved_fwd[pm.model_of[i]] != 0 || pm.fwd_mapped[i];
  };
  const uint32_t classes = rp.count();
  // The record each class is written from: its first node, except that a prototype class
  // under param-names takes the member with the most parameter names (first wins).
  // Nodes a rule added (canonical modifier chains) have no record: a class is written from
  // its smallest original node, and a class of added nodes only is not written at all
  // (records refer to original nodes, whose classes are written).
  std::vector<uint32_t> source(classes, UINT32_MAX);
  for (const uint32_t i : pm.kept)   // a unified forward is not its class's record
    if (source[cls(i)] == UINT32_MAX && !unified(i)) source[cls(i)] = i;
  if (param_names) {
    std::vector<uint32_t> best(classes, 0);
    std::vector<uint8_t> seen(classes, 0);
    for (size_t part = 0; part < parts.size(); ++part) {
      const btf::Btf& b = *parts[part];
      for (uint32_t k = 0; k < b.own_count(); ++k) {
        const uint32_t c = cls(pm.offsets[part] + k);
        if (source[c] < pm.base_nodes) continue;
        const btf::Type t = b.type(b.start_id() + k);
        if (t.kind() != uint32_t(btf::Kind::FuncProto)) continue;
        const uint32_t named = named_params(t);
        if (!seen[c] || named > best[c]) {
          // The first node of the class seen here is its source (nodes ascend).
          if (seen[c]) source[c] = pm.offsets[part] + k;
          seen[c] = 1, best[c] = named;
        }
      }
    }
  }

  // New ids: base classes keep their base id; the others are numbered in order of their
  // representative node.
  const uint32_t first_new = base ? base->type_count() : 1;
  std::vector<uint32_t> new_id(classes, 0);
  std::vector<uint32_t> emit;   // representative nodes, ascending
  for (uint32_t c = 0; c < classes; ++c) {
    const uint32_t r = source[c];
    if (r == UINT32_MAX) continue;          // added by a rule only
    if (r < pm.base_nodes) new_id[c] = r;   // void or a base type
    else emit.push_back(c);
  }
  // In order of each class's first original node (the first member's copy first).
  std::vector<uint32_t> first(classes, UINT32_MAX);
  for (size_t k = pm.kept.size(); k-- > 0;) first[cls(pm.kept[k])] = pm.kept[k];
  std::sort(emit.begin(), emit.end(), [&](uint32_t x, uint32_t y) { return first[x] < first[y]; });
  for (size_t k = 0; k < emit.size(); ++k) new_id[emit[k]] = first_new + uint32_t(k);

  btf::StringTable strings(base ? base->str_end() : 0);
  std::vector<uint32_t> words;
  for (uint32_t c : emit) {
    const auto where = origin(source[c]);   // not a structured binding: clang 14 cannot
    const auto part = where.first;            // capture one in the lambda below
    const auto id = where.second;
    const btf::Btf& b = *parts[part];
    const uint32_t start = b.start_id();
    const btf::Type t = b.type(id);
    const size_t at = words.size();
    for (size_t i = 0; i < t.words(); ++i) words.push_back(t.word(i));
    btf::for_each_ref_word(t.kind(), t.vlen(), [&](uint32_t w) {
      const uint32_t old = words[at + w];
      uint32_t node = 0;
      if (old >= start && b.valid_id(old)) node = pm.offsets[part] + (old - start);
      else if (old < start) node = old;   // void or base
      words[at + w] = new_id[cls(node)];
    });
    btf::for_each_name_word(t.kind(), t.vlen(), [&](uint32_t w) {
      words[at + w] = strings.add(b.str_or_empty(words[at + w]));
    });
  }
  m.bytes = btf::write_blob(words, strings.data());
  m.stats.types_after = uint32_t(emit.size());
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
  for (const auto& part : parts) m.stats.bytes_before += part->bytes().size();
  if (ambiguities) report_ambiguities(pm.model, rp, pm.base_nodes, *ambiguities);
  return m;
}

}  // namespace btfcheck::archive
