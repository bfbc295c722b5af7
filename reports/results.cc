// Loading matrix results into the typed model (results.h). Every field is read through a
// tolerant accessor: a missing or mistyped field is absent, never an exception, so a
// hand-edited or truncated-but-valid JSON document still renders.
#include "reports/results.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace btfcheck::report {
namespace {

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

double num(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

int64_t inum(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  const double d = it->get<double>();
  return d > -9e18 && d < 9e18 ? int64_t(d) : 0;
}

const nlohmann::json& sub(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

std::map<std::string, int64_t> counts(const nlohmann::json& j) {
  std::map<std::string, int64_t> m;
  if (!j.is_object()) return m;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it->is_number()) m[it.key()] = inum(j, it.key().c_str());
  return m;
}


}  // namespace

Error report_error(const std::string& rule, const std::string& file, const std::string& msg) {
  return file_error(file, rule, msg);
}

Run parse_run(const nlohmann::json& j) {
  Run r;
  r.input = str(j, "input");
  r.feature = str(j, "feature");
  r.producer = str(j, "producer");
  r.version = str(j, "version");
  r.status = str(j, "status");
  r.reason = str(j, "reason");
  r.output = j.contains("merged_output") ? str(j, "merged_output") : str(j, "output");  // an archive's merged BTF
  r.base = str(j, "base");
  r.digest = str(j, "digest");
  r.error = str(j, "error");
  r.wall_s = num(j, "wall_s");
  r.cpu_s = num(j, "cpu_s");
  r.prepare_s = num(j, "prepare_s");
  r.peak_rss_kb = inum(j, "peak_rss_kb");
  const auto& s = sub(j, "size");
  r.size = {inum(s, "total"), inum(s, "header"), inum(s, "types"), inum(s, "strings")};
  if (const auto& b = sub(j, "size_breakdown"); b.is_object()) {
    r.breakdown.bytes = inum(b, "bytes");
    r.breakdown.family_count = inum(b, "family_count");
    r.breakdown.families = counts(sub(b, "families"));
    r.breakdown.kinds = counts(sub(b, "kinds"));
  }
  if (const auto& rp = sub(j, "repro"); rp.is_object()) {
    r.repro.present = true;
    r.repro.error = str(rp, "error");
    r.repro.jobs = inum(rp, "jobs");
    r.repro.bytes_equal = sub(rp, "bytes_equal").is_boolean() ? sub(rp, "bytes_equal").get<bool>() : true;
    r.repro.serial_wall_s = num(rp, "serial_wall_s");
    if (const auto& c = sub(rp, "canonical"); c.is_object()) {
      r.repro.canonical_checked = true;
      const std::string err = str(c, "error");
      if (!err.empty() && r.repro.error.empty()) r.repro.error = "canonical diff: " + err;
      r.repro.canonical_equal = sub(c, "equal").is_boolean() ? sub(c, "equal").get<bool>() : false;
      r.repro.changes = inum(c, "changes");
      if (const auto& fc = sub(c, "first_changes"); fc.is_array())
        for (const auto& x : fc)
          if (x.is_string()) r.repro.first_changes.push_back(x.get<std::string>());
    }
  }
  r.cached = sub(j, "cached").is_boolean() && sub(j, "cached").get<bool>();
  r.types = inum(j, "types");
  r.members = inum(j, "members");
  r.kinds = counts(sub(j, "kinds"));
  if (const auto& v = sub(j, "verify"); v.is_object()) {
    r.verify.present = true;
    r.verify.valid = sub(v, "valid").is_boolean() ? sub(v, "valid").get<bool>() : true;
    r.verify.violations = inum(v, "violations");
    r.verify.rules = counts(sub(v, "rules"));
  }
  if (const auto& d = sub(j, "vs_reference"); d.is_object()) {
    r.vs_ref.present = true;
    r.vs_ref.error = str(d, "error");
    r.vs_ref.equal = sub(d, "equal").is_boolean() ? sub(d, "equal").get<bool>() : r.vs_ref.error.empty();
    r.vs_ref.changes = inum(d, "changes");
    r.vs_ref.summary = counts(sub(d, "summary"));
    if (const auto& fc = sub(d, "first_changes"); fc.is_array())
      for (const auto& c : fc)
        if (c.is_string()) r.vs_ref.first_changes.push_back(c.get<std::string>());
  }
  return r;
}

nlohmann::json run_json(const Run& r) {
  nlohmann::json j = {{"input", r.input}, {"producer", r.producer}, {"version", r.version},
                      {"status", r.status}};
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (!r.feature.empty()) j["feature"] = r.feature;
  if (!r.base.empty()) j["base"] = r.base;
  if (!r.ok()) return j;
  j["digest"] = r.digest;
  j["wall_s"] = r.wall_s;
  j["cpu_s"] = r.cpu_s;
  j["peak_rss_kb"] = r.peak_rss_kb;
  j["size"] = {{"total", r.size.total}, {"header", r.size.header}, {"types", r.size.types},
               {"strings", r.size.strings}};
  j["types"] = r.types;
  j["kinds"] = r.kinds;
  if (r.breakdown.present())
    j["size_breakdown"] = {{"bytes", r.breakdown.bytes}, {"family_count", r.breakdown.family_count},
                           {"families", r.breakdown.families}, {"kinds", r.breakdown.kinds}};
  if (r.verify.present)
    j["verify"] = {{"valid", r.verify.valid}, {"violations", r.verify.violations},
                   {"rules", r.verify.rules}};
  return j;
}

size_t Results::producer_index(const std::string& name) const {
  for (size_t i = 0; i < producers.size(); ++i)
    if (producers[i].name == name) return i;
  return producers.size();
}

const Run* Results::find(const std::string& input, const std::string& producer) const {
  for (const Run& r : runs)
    if (r.input == input && r.producer == producer) return &r;
  return nullptr;
}

Result<nlohmann::json> read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return report_error("io.read", path, "cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return report_error("report.json", path, "not valid JSON");
  return j;
}

Result<Results> load_result_files(const std::vector<std::string>& paths) {
  std::vector<std::pair<std::string, nlohmann::json>> docs;
  for (const std::string& f : paths) {
    auto j = read_json_file(f);
    if (!j.ok()) return j.error();
    docs.emplace_back(f, std::move(*j));
  }
  return load_results(docs);
}

Result<Results> load_results(const std::vector<std::pair<std::string, nlohmann::json>>& docs,
                             const std::string& extra_schema) {
  Results res;
  std::vector<std::pair<Run, std::string>> runs;   // run, its file
  for (const auto& [file, doc] : docs) {
    const std::string schema = str(doc, "schema");
    if (schema != "btfcheck-matrix/1" && (extra_schema.empty() || schema != extra_schema))
      return report_error("report.schema", file,
                 "not a matrix results file (schema \"" + schema + "\", want btfcheck-matrix/1" +
                     (extra_schema.empty() ? "" : " or " + extra_schema) + ")");
    if (res.schema.empty()) res.schema = schema;
    res.files.push_back(file);
    if (res.reference.empty()) res.reference = str(doc, "reference");
    if (res.rules.empty())
      if (const auto& rl = sub(doc, "rules"); rl.is_array())
        for (const auto& x : rl)
          if (x.is_string()) res.rules.push_back(x.get<std::string>());
    res.created = std::max(res.created, inum(doc, "created"));
    if (const auto& ps = sub(doc, "producers"); ps.is_array())
      for (const auto& p : ps) {
        ProducerInfo pi{str(p, "name"), str(p, "family"), str(p, "version"), str(p, "missing"),
                        sub(p, "available").is_boolean() ? sub(p, "available").get<bool>() : true};
        if (!pi.name.empty() && res.producer_index(pi.name) == res.producers.size())
          res.producers.push_back(pi);
      }
    const auto& rs = sub(doc, "runs");
    if (!rs.is_array()) return report_error("report.schema", file, "no \"runs\" array");
    for (const auto& j : rs) {
      Run r = parse_run(j);
      if (r.input.empty() || r.producer.empty()) continue;
      runs.emplace_back(std::move(r), file);
    }
  }
  // Producers seen only in runs come after the listed ones, by name.
  std::vector<std::string> extra;
  for (const auto& [r, f] : runs)
    if (res.producer_index(r.producer) == res.producers.size()) extra.push_back(r.producer);
  std::sort(extra.begin(), extra.end());
  extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
  for (const std::string& e : extra) res.producers.push_back({e, "", "", "", true});
  for (auto& p : res.producers)
    if (p.version.empty())
      for (const auto& [r, f] : runs)
        if (r.producer == p.name && !r.version.empty()) { p.version = r.version; break; }

  std::stable_sort(runs.begin(), runs.end(), [&](const auto& a, const auto& b) {
    if (a.first.input != b.first.input) return a.first.input < b.first.input;
    return res.producer_index(a.first.producer) < res.producer_index(b.first.producer);
  });
  for (size_t i = 1; i < runs.size(); ++i)
    if (runs[i].first.input == runs[i - 1].first.input &&
        runs[i].first.producer == runs[i - 1].first.producer)
      return report_error("report.duplicate", runs[i].second,
                 "run " + runs[i].first.producer + " on " + runs[i].first.input +
                     " is also in " + runs[i - 1].second);
  for (auto& [r, f] : runs) {
    if (res.inputs.empty() || res.inputs.back() != r.input) res.inputs.push_back(r.input);
    res.runs.push_back(std::move(r));
  }
  return res;
}

std::vector<Totals> totals(const Results& r) {
  std::vector<Totals> out(r.producers.size());
  std::vector<bool> seen(r.producers.size(), false);
  for (size_t i = 0; i < r.producers.size(); ++i) {
    out[i].producer = r.producers[i].name;
    out[i].version = r.producers[i].version;
  }
  for (const Run& run : r.runs) {
    const size_t i = r.producer_index(run.producer);
    if (i >= out.size()) continue;
    seen[i] = true;
    Totals& t = out[i];
    if (run.status == "skipped") { ++t.skipped; continue; }
    if (!run.ok()) { ++t.failed; continue; }
    ++t.ok;
    t.size.total += run.size.total;
    t.size.header += run.size.header;
    t.size.types += run.size.types;
    t.size.strings += run.size.strings;
    t.types += run.types;
    t.wall_s += run.wall_s;
    t.cpu_s += run.cpu_s;
    t.max_rss_kb = std::max(t.max_rss_kb, run.peak_rss_kb);
    for (const auto& [k, n] : run.kinds) t.kinds[k] += n;
    if (run.verify.present) {
      (run.verify.valid ? t.verify_clean : t.verify_dirty)++;
      t.violations += run.verify.violations;
      for (const auto& [k, n] : run.verify.rules) t.rules[k] += n;
    }
    if (run.vs_ref.present) {
      if (!run.vs_ref.error.empty()) ++t.vs_error;
      else if (run.vs_ref.equal) ++t.vs_equal;
      else ++t.vs_differ;
      t.vs_changes += run.vs_ref.changes;
    }
  }
  std::vector<Totals> kept;
  for (size_t i = 0; i < out.size(); ++i)
    if (seen[i]) kept.push_back(std::move(out[i]));
  return kept;
}

}  // namespace btfcheck::report
