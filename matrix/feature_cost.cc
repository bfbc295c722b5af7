// The feature-cost experiment (feature_cost.h): plan the distinct feature lists, encode each
// once, charge each output's bytes, then one row per requested feature.
#include "matrix/feature_cost.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "btf/load.h"
#include "comparator/size/size.h"
#include "matrix/cache.h"

namespace btfcheck::matrix {

const std::vector<std::string> kPaholeDefaultFeatures = {
    "encode_force", "var", "float", "decl_tag", "type_tag", "enum64", "optimized_func",
    "consistent_func", "decl_tag_kfuncs"};

namespace {

constexpr size_t kRowFamilies = 10;
constexpr const char* kDefault = "default";

Error usage(const std::string& msg) { return file_error("", "usage.size", msg); }

bool in_default(const std::string& f) {
  return std::find(kPaholeDefaultFeatures.begin(), kPaholeDefaultFeatures.end(), f) !=
         kPaholeDefaultFeatures.end();
}

// The feature list that leaves `f` out of the default set, in the producer's syntax.
std::string without_spec(const std::string& producer, const std::string& f) {
  if (producer == "btfcheck") return std::string(kDefault) + ",-" + f;
  std::string s;   // pahole has no "minus": list the rest of the default set
  for (const std::string& d : kPaholeDefaultFeatures)
    if (d != f) s += (s.empty() ? "" : ",") + d;
  return s;
}

std::string with_spec(const std::string& producer, const std::string& f) {
  return std::string(kDefault) + (producer == "btfcheck" ? ",+" : ",") + f;
}

// The producer and the per-encoding configuration for one feature list.
Result<producers::Producer> make_producer(const FeatureCostOptions& o) {
  producers::Producer p;
  p.name = o.producer;
  p.takes_jobs = true;
  if (o.producer == "pahole-master") {
    p.family = "pahole";
    p.tool = producers::which(o.config.pahole);
    if (p.tool.empty()) return usage("pahole binary " + o.config.pahole + " not found (--pahole PATH)");
    p.version = producers::first_output_line({p.tool, "--version"});
    const std::string supported =
        "," + producers::first_output_line({p.tool, "--supported_btf_features"}) + ",";
    for (const std::string& f : o.features)
      if (supported.find("," + f + ",") == std::string::npos)
        return usage(p.tool + " (" + p.version + ") does not support the BTF feature '" + f +
                     "' (--supported_btf_features: " + supported.substr(1, supported.size() - 2) +
                     "); pahole master is built by corpora/fetch-pahole-master");
  } else if (o.producer == "btfcheck") {
    p.family = "btfcheck";
    p.tool = o.config.self;
    p.version = producers::first_output_line({p.tool, "--version"});
    // An encoder that does not know --compat rejects it before looking at --help.
    if (producers::run_process({p.tool, "encode", "dwarf", "--compat=pahole-master", "--help"}).exit != 0)
      return usage("btfcheck encode dwarf has no --compat=pahole-master yet, so it cannot encode "
                   "pahole's features; use --producer pahole-master");
  } else {
    return usage("--producer takes pahole-master or btfcheck, not '" + o.producer + "'");
  }
  return p;
}

producers::Config config_for(const FeatureCostOptions& o, const std::string& spec) {
  producers::Config c = o.config;
  if (o.producer == "btfcheck") {
    c.btfcheck_flags = {"--compat=pahole-master", "--features=" + spec};
  } else {
    c.pahole_flags = {"--btf_features=" + spec};
    c.pahole_flags.insert(c.pahole_flags.end(), o.extra_flags.begin(), o.extra_flags.end());
  }
  return c;
}

struct Encoding {
  std::string spec;
  size::Breakdown bytes;
  nlohmann::json summary;
};

nlohmann::json lines(const std::map<std::string, uint64_t>& a, const std::map<std::string, uint64_t>& b,
                     size_t keep) {
  std::map<std::string, size::Row> m;
  for (const auto& [k, v] : a) m[k].a = v;
  for (const auto& [k, v] : b) m[k].b = v;
  std::vector<size::Row> v;
  for (auto& [k, r] : m)
    if (r.delta() != 0) v.push_back({k, r.a, r.b});
  std::stable_sort(v.begin(), v.end(), [](const size::Row& x, const size::Row& y) {
    return std::llabs(x.delta()) > std::llabs(y.delta());
  });
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < v.size() && i < keep; ++i)
    out.push_back({{"name", v[i].name}, {"without", v[i].a}, {"with", v[i].b}, {"delta", v[i].delta()}});
  return out;
}

}  // namespace

Result<nlohmann::json> feature_cost(const FeatureCostOptions& o, const FeatureProgress& progress) {
  if (o.features.empty()) return usage("--features wants at least one feature name");
  auto prod = make_producer(o);
  if (!prod.ok()) return prod.error();
  auto in = producers::resolve_input(o.elf, "", o.base);
  if (!in.ok()) return in.error();
  if (in->elf.empty()) return usage(o.elf + " is not an ELF file (feature cost encodes an ELF's DWARF)");
  // Every distinct feature list, baseline first.
  std::vector<std::string> specs{kDefault};
  for (const std::string& f : o.features) {
    const std::string other = in_default(f) ? without_spec(o.producer, f) : with_spec(o.producer, f);
    if (std::find(specs.begin(), specs.end(), other) == specs.end()) specs.push_back(other);
  }
  std::shared_ptr<const btf::Btf> base;
  if (!o.base.empty()) {
    auto b = btf::open_btf(o.base);
    if (!b.ok()) return b.error();
    base = *b;
  }
  EncodingCache cache(o.cache);
  std::map<std::string, Encoding> enc;
  nlohmann::json encodings = nlohmann::json::array();
  for (size_t i = 0; i < specs.size(); ++i) {
    const producers::Config cfg = config_for(o, specs[i]);
    bool hit = false;
    auto out = cache.produce(*prod, *in, cfg, o.workdir + "/variant" + std::to_string(i), o.jobs, &hit);
    if (!out.ok()) return out.error();
    if (!out->skipped.empty()) return usage(prod->name + " skipped " + o.elf + ": " + out->skipped);
    auto blob = btf::load_blob(out->btf_path);
    if (!blob.ok()) return blob.error();
    auto parsed = btf::Btf::parse(std::move(blob->bytes), {out->btf_path, blob->section, base});
    if (!parsed.ok()) return parsed.error();
    Encoding e{specs[i], size::breakdown(**parsed), {}};
    e.summary = {{"features", specs[i]}, {"bytes", e.bytes.total}, {"output", out->btf_path},
                 {"wall_s", out->wall_s}, {"peak_rss_kb", out->peak_rss_kb}, {"cached", hit}};
    encodings.push_back(e.summary);
    if (progress) {
      char line[512];
      std::snprintf(line, sizeof line, "%s: %" PRIu64 " bytes, %.1f s%s", specs[i].c_str(),
                    e.bytes.total, out->wall_s, hit ? " (cached)" : "");
      progress(line);
    }
    enc[specs[i]] = std::move(e);
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const std::string& f : o.features) {
    const bool dflt = in_default(f);
    const std::string without = dflt ? without_spec(o.producer, f) : kDefault;
    const std::string with = dflt ? kDefault : with_spec(o.producer, f);
    const size::Breakdown& a = enc[without].bytes;
    const size::Breakdown& b = enc[with].bytes;
    const int64_t delta = int64_t(b.total) - int64_t(a.total);
    rows.push_back({{"feature", f}, {"in_default", dflt}, {"without", without}, {"with", with},
                    {"bytes_without", a.total}, {"bytes_with", b.total}, {"delta", delta},
                    {"percent", a.total ? 100.0 * double(delta) / double(a.total) : 0.0},
                    {"families", lines(a.families, b.families, kRowFamilies)},
                    {"kinds", lines(a.kinds, b.kinds, SIZE_MAX)}});
  }
  return nlohmann::json{{"schema", "btfcheck-feature-cost/1"}, {"input", in->name},
                        {"input_path", o.elf}, {"base", o.base}, {"producer", prod->name},
                        {"tool", prod->tool}, {"version", prod->version}, {"jobs", o.jobs},
                        {"baseline", {{"features", kDefault}, {"bytes", enc[kDefault].bytes.total}}},
                        {"encodings", encodings}, {"rows", rows}};
}

std::string render_feature_cost_text(const nlohmann::json& doc, size_t families) {
  auto num = [](int64_t v, bool sign) {
    std::string d = std::to_string(v < 0 ? -v : v), out;
    for (size_t i = 0; i < d.size(); ++i) {
      if (i && (d.size() - i) % 3 == 0) out += ',';
      out += d[i];
    }
    return (v < 0 ? "-" : sign && v > 0 ? "+" : "") + out;
  };
  std::string out = "feature cost: " + doc.value("input", "") + " encoded by " + doc.value("producer", "") +
                    " (" + doc.value("version", "") + "); baseline " +
                    doc["baseline"].value("features", "") + ": " +
                    num(doc["baseline"].value("bytes", int64_t(0)), false) + " bytes\n";
  char line[1024];
  std::snprintf(line, sizeof line, "  %-18s %13s %10s  %s\n", "feature", "cost", "%", "largest families of the cost");
  out += line;
  bool note = false;
  for (const auto& r : doc["rows"]) {
    std::string fams;
    size_t n = 0;
    for (const auto& f : r["families"]) {
      if (n++ == families) break;
      fams += (fams.empty() ? "" : ", ") + f.value("name", "") + " " + num(f.value("delta", int64_t(0)), true);
    }
    const bool dflt = r.value("in_default", false);
    note |= dflt;
    const double pct = r.value("percent", 0.0);
    std::snprintf(line, sizeof line, "  %-18s %13s %+9.*f%%  %s\n",
                  (r.value("feature", "") + (dflt ? " *" : "")).c_str(),
                  num(r.value("delta", int64_t(0)), true).c_str(), pct > -0.1 && pct < 0.1 ? 3 : 2, pct,
                  fams.c_str());
    out += line;
  }
  if (note)
    out += "  * in the default set: its cost is the default minus the default without it\n";
  return out;
}

}  // namespace btfcheck::matrix
