// History: one JSON line per report run, with per producer totals, so later reports can draw
// trends across commits. The line is derived from the results only (its date is the
// results' "created" time), so re-running a report on the same results gives the same line
// and replaces it instead of adding a duplicate. Each producer's point carries its size
// families (summed over runs, largest 30) for the family trend chart.
#include <algorithm>
#include <sstream>

#include "reports/report.h"
#include "reports/text.h"

namespace btfcheck::report {

namespace {

// A producer's size families summed over its ok runs, cut as the matrix cuts one run's: the
// kHistoryFamilies largest, the rest summed under kRestFamily (so a history line of a corpus
// run stays a few KB).
constexpr size_t kHistoryFamilies = 30;

nlohmann::json summed_families(const Results& r, const std::string& producer) {
  std::map<std::string, int64_t> sum;
  for (const Run& run : r.runs)
    if (run.ok() && run.producer == producer)
      for (const auto& [f, n] : run.breakdown.families) sum[f] += n;
  std::vector<std::pair<std::string, int64_t>> v(sum.begin(), sum.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return (a.first == kRestFamily) != (b.first == kRestFamily) ? b.first == kRestFamily
                                                                : a.second > b.second;
  });
  nlohmann::json out = nlohmann::json::object();
  int64_t rest = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i < kHistoryFamilies && v[i].first != kRestFamily) out[v[i].first] = v[i].second;
    else rest += v[i].second;
  }
  if (rest) out[kRestFamily] = rest;
  return out;
}

}  // namespace

nlohmann::json history_entry(const Results& r, const std::string& commit) {
  nlohmann::json prods = nlohmann::json::object();
  for (const Totals& t : totals(r)) {
    if (t.ok == 0) continue;
    nlohmann::json e = {{"ok", t.ok},           {"size", t.size.total},
                        {"types_bytes", t.size.types}, {"strings_bytes", t.size.strings},
                        {"types", t.types},     {"wall_s", t.wall_s},
                        {"cpu_s", t.cpu_s},     {"max_rss_kb", t.max_rss_kb},
                        {"violations", t.violations}, {"vs_changes", t.vs_changes},
                        {"version", t.version}};
    if (nlohmann::json f = summed_families(r, t.producer); !f.empty()) e["families"] = std::move(f);
    prods[t.producer] = std::move(e);
  }
  return {{"schema", "btfcheck-history/1"}, {"commit", commit}, {"date", iso_utc(r.created)},
          {"created", r.created}, {"reference", r.reference}, {"inputs", r.inputs.size()},
          {"producers", prods}};
}

namespace {

template <typename T>
T get(const nlohmann::json& j, const char* k, T dflt) {
  auto it = j.find(k);
  if (it == j.end()) return dflt;
  if constexpr (std::is_same_v<T, std::string>) return it->is_string() ? it->get<std::string>() : dflt;
  else return it->is_number() ? it->get<T>() : dflt;
}

}  // namespace

std::vector<HistoryEntry> parse_history(const std::string& text, size_t* skipped) {
  std::vector<HistoryEntry> out;
  size_t bad = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("producers") ||
        !j["producers"].is_object()) {
      ++bad;
      continue;
    }
    HistoryEntry e;
    e.commit = get<std::string>(j, "commit", "");
    e.date = get<std::string>(j, "date", "");
    e.created = get<int64_t>(j, "created", 0);
    for (auto it = j["producers"].begin(); it != j["producers"].end(); ++it) {
      if (!it->is_object()) continue;
      const auto& p = *it;
      Point pt;
      pt.ok = get<int>(p, "ok", 0);
      pt.size = get<int64_t>(p, "size", 0);
      pt.types_bytes = get<int64_t>(p, "types_bytes", 0);
      pt.strings_bytes = get<int64_t>(p, "strings_bytes", 0);
      pt.types = get<int64_t>(p, "types", 0);
      pt.wall_s = get<double>(p, "wall_s", 0);
      pt.cpu_s = get<double>(p, "cpu_s", 0);
      pt.max_rss_kb = get<int64_t>(p, "max_rss_kb", 0);
      pt.violations = get<int64_t>(p, "violations", 0);
      pt.vs_changes = get<int64_t>(p, "vs_changes", 0);
      if (auto f = p.find("families"); f != p.end() && f->is_object())
        for (auto fi = f->begin(); fi != f->end(); ++fi)
          if (fi->is_number_integer()) pt.families[fi.key()] = fi->get<int64_t>();
      e.producers[it.key()] = pt;
    }
    out.push_back(std::move(e));
  }
  if (skipped) *skipped = bad;
  return out;
}

std::string append_history(const std::string& old_text, const nlohmann::json& entry) {
  const std::string commit = get<std::string>(entry, "commit", "");
  const int64_t created = get<int64_t>(entry, "created", 0);
  std::string out;
  std::istringstream in(old_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object() && get<std::string>(j, "commit", "") == commit &&
        get<int64_t>(j, "created", -1) == created)
      continue;
    out += line + "\n";
  }
  return out + entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace btfcheck::report
