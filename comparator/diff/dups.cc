// dups: partition classes with several type ids, and same-named families explained by the
// diff walker (compare_top between family members of one graph).
#include "comparator/diff/dups.h"

#include <algorithm>
#include <map>

#include "btf/json.h"
#include "comparator/diff/walk.h"

namespace btfcheck::diff {

Dups find_dups(const canon::Graph& g) {
  Dups d;
  const uint32_t nc = g.part.count();
  std::vector<std::vector<uint32_t>> ids(nc);
  for (uint32_t i = 1; i < g.model.nodes.size(); ++i) {
    const uint32_t id = g.model.nodes[i].btf_id;
    if (id == 0 || g.part.resolved_fwd[i]) continue;   // rule-made nodes, unified forwards
    ids[g.part.cls[i]].push_back(id);
  }
  // Definition classes per (kind, name), to say why forwards stayed forwards.
  std::map<std::pair<int, std::string>, size_t> definitions;
  for (uint32_t c = 0; c < nc; ++c) {
    const canon::Node& n = canon::rep_node(g, c);
    if (g.named[c] && btf::is_composite(n.kind))
      ++definitions[{int(n.kind), n.name}];
  }
  for (uint32_t c = 0; c < nc; ++c) {
    if (ids[c].size() < 2) continue;
    std::sort(ids[c].begin(), ids[c].end());
    CopyClass cc{g.expr[c], ids[c], ""};
    const canon::Node& n = canon::rep_node(g, c);
    if (n.kind == canon::Kind::Fwd) {
      const canon::Kind k = n.x ? canon::Kind::Union : canon::Kind::Struct;
      const std::string what = std::string(canon::kind_word(k)) + " " + n.name;
      const auto it = definitions.find({int(k), n.name});
      const size_t defs = it == definitions.end() ? 0 : it->second;
      cc.note = defs == 0 ? "no definition of " + what
                          : std::to_string(defs) + " different definitions of " + what;
    }
    d.copies.push_back(std::move(cc));
  }
  std::sort(d.copies.begin(), d.copies.end(),
            [](const CopyClass& a, const CopyClass& b) { return a.key < b.key; });

  std::map<std::pair<int, std::string>, std::vector<uint32_t>> fam;
  for (uint32_t c = 0; c < nc; ++c)
    if (g.named[c]) fam[{int(canon::rep_node(g, c).kind), canon::rep_node(g, c).name}].push_back(c);
  for (auto& [kn, members] : fam) {
    if (members.size() < 2) continue;
    std::sort(members.begin(), members.end(),
              [&](uint32_t x, uint32_t y) { return g.key[x] < g.key[y]; });
    Family f;
    f.name = std::string(canon::kind_word(canon::Kind(kn.first))) + " " + kn.second;
    for (uint32_t c : members) {
      f.keys.push_back(g.key[c]);
      std::vector<uint32_t> v = ids[c];
      std::sort(v.begin(), v.end());
      f.ids.push_back(v);
    }
    for (size_t i = 1; i < members.size(); ++i) {
      std::vector<Change> changes;
      compare_top(g, g, members[0], members[i], changes);
      std::sort(changes.begin(), changes.end(), [](const Change& x, const Change& y) {
        return std::tie(x.path, x.category) < std::tie(y.path, y.category);
      });
      f.first_difference.push_back(changes.empty()
                                       ? Change::of("type", "", g.key[members[i]], g.key[members[0]],
                                                    g.key[members[i]])
                                       : changes.front());
    }
    d.families.push_back(std::move(f));
  }
  return d;
}

namespace {
std::string id_list(const std::vector<uint32_t>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i == 8) return s + " ... (" + std::to_string(ids.size()) + " ids)";
    s += (i ? " [" : "[") + std::to_string(ids[i]) + "]";
  }
  return s;
}
}  // namespace

std::string render_dups_text(const Dups& d) {
  std::string o;
  for (const CopyClass& c : d.copies)
    o += "copies " + std::to_string(c.ids.size()) + "x " + c.key + ": " + id_list(c.ids) +
         (c.note.empty() ? "" : "\n    not unified: " + c.note) + "\n";
  for (const Family& f : d.families) {
    o += "family " + f.name + ": " + std::to_string(f.keys.size()) + " different types\n";
    for (size_t i = 0; i < f.keys.size(); ++i) {
      o += "  " + f.keys[i] + ": " + id_list(f.ids[i]) + "\n";
      if (i == 0) continue;
      const Change& c = f.first_difference[i - 1];
      o += "    first difference from " + f.keys[0] + ": " + c.category + " " + c.path + ": " +
           c.before + " -> " + c.after + "\n";
    }
  }
  o += std::to_string(d.copies.size()) + " class(es) with copies, " +
       std::to_string(d.families.size()) + " same-named famil" +
       (d.families.size() == 1 ? "y" : "ies") + "\n";
  return o;
}

std::string render_dups_json(const Dups& d, const std::string& file) {
  auto ids = [](const std::vector<uint32_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
  };
  std::string o = "{\"file\":" + json_quote(file) + ",\"copies\":[";
  for (size_t i = 0; i < d.copies.size(); ++i)
    o += std::string(i ? "," : "") + "{\"key\":" + json_quote(d.copies[i].key) +
         ",\"ids\":" + ids(d.copies[i].ids) +
         (d.copies[i].note.empty() ? "" : ",\"note\":" + json_quote(d.copies[i].note)) + "}";
  o += "],\"families\":[";
  for (size_t i = 0; i < d.families.size(); ++i) {
    const Family& f = d.families[i];
    o += std::string(i ? "," : "") + "{\"name\":" + json_quote(f.name) + ",\"members\":[";
    for (size_t k = 0; k < f.keys.size(); ++k) {
      o += std::string(k ? "," : "") + "{\"key\":" + json_quote(f.keys[k]) + ",\"ids\":" + ids(f.ids[k]);
      if (k) {
        const Change& c = f.first_difference[k - 1];
        o += ",\"first_difference\":{\"category\":" + json_quote(c.category) +
             ",\"path\":" + json_quote(c.path) + ",\"before\":" + json_quote(c.before) +
             ",\"after\":" + json_quote(c.after) + "}";
      }
      o += "}";
    }
    o += "]}";
  }
  return o + "]}\n";
}

}  // namespace btfcheck::diff
