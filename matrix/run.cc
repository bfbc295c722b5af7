// Running the matrix: inputs in order (this shard's share), the reference producer first on
// each, then the others; each output analysed (analyze.cc) and diffed canonically against
// the reference's output for the same input. Work directories are named by the input's
// position and the producer (input3.pahole), never by the input's name, which is the user's
// text (see encoder/producers/stage.h); the results record each output's path.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <ctime>

#include "matrix/matrix.h"
#include "btf/load.h"
#include "canon/canon.h"
#include "comparator/diff/diff.h"
#include "encoder/archive/archive.h"
#include "matrix/cache.h"

namespace btfcheck::matrix {
namespace {

Error usage(const std::string& msg) { return file_error("", "usage.matrix", msg); }

// Canonical diff summary of two outputs (archives merged as analyze() does).
nlohmann::json compare(const std::string& a, const std::string& b, const std::string& base,
                       const std::vector<std::string>& rules) {
  auto open = [&](const std::string& p) -> Result<std::shared_ptr<const btf::Btf>> {
    std::shared_ptr<const btf::Btf> bb;
    if (!base.empty()) {
      auto r = btf::open_btf(base);
      if (!r.ok()) return r.error();
      bb = *r;
    }
    return archive::open_merged(p, bb);   // an archive: merged as analyze() does
  };
  auto ba = open(a), bb = open(b);
  if (!ba.ok()) return {{"error", ba.error().str()}};
  if (!bb.ok()) return {{"error", bb.error().str()}};
  canon::Options co;
  co.rules = rules;
  const diff::Report r = diff::diff(canon::build(**ba, co), canon::build(**bb, co), {.leaf = true});
  nlohmann::json changes = nlohmann::json::array();
  for (const diff::Change& c : r.changes) {
    if (changes.size() == 20) break;
    changes.push_back(diff::change_line(c));
  }
  return {{"equal", r.unsuppressed() == 0}, {"changes", r.unsuppressed()},
          {"summary", r.summary}, {"first_changes", changes}};
}

// Byte equality of two outputs' BTF (an ELF's .BTF, or the raw file).
Result<bool> same_btf_bytes(const std::string& a, const std::string& b) {
  auto ba = btf::load_blob(a), bb = btf::load_blob(b);
  if (!ba.ok()) return ba.error();
  if (!bb.ok()) return bb.error();
  return ba->bytes == bb->bytes;
}

// The serial twin of a -jN run (Options::check_repro): `out` is the -jN output.
nlohmann::json repro_check(EncodingCache& cache, const producers::Producer& p,
                           const producers::Input& in, const Options& o, const std::string& dir,
                           const std::string& out) {
  bool hit = false;
  auto serial = cache.produce(p, in, o.config, dir + ".serial", 1, &hit);
  if (!serial.ok()) return {{"error", "serial run failed: " + serial.error().str()}};
  if (!serial->skipped.empty()) return {{"error", "serial run skipped: " + serial->skipped}};
  nlohmann::json j = {{"jobs", o.jobs}, {"serial_jobs", 1}, {"serial_output", serial->btf_path},
                      {"serial_wall_s", serial->wall_s}, {"serial_peak_rss_kb", serial->peak_rss_kb}};
  if (hit) j["serial_cached"] = true;
  auto same = same_btf_bytes(serial->btf_path, out);
  if (!same.ok()) return {{"error", same.error().str()}};
  j["bytes_equal"] = *same;
  if (!*same) j["canonical"] = compare(serial->btf_path, out, in.base, {});
  return j;
}

}  // namespace

Result<producers::Producer> define_producer(const std::string& spec) {
  const size_t eq = spec.find('='), colon = spec.find(':', eq == std::string::npos ? 0 : eq);
  auto bad = [&](const std::string& why) {
    return file_error("", "usage.producer", "producer definition '" + spec + "': " + why +
                                                " (want NAME=FAMILY:PATH, FAMILY pahole or btfcheck)");
  };
  if (eq == std::string::npos || colon == std::string::npos) return bad("malformed");
  producers::Producer p;
  p.name = spec.substr(0, eq);
  p.family = spec.substr(eq + 1, colon - eq - 1);
  const std::string path = spec.substr(colon + 1);
  if (p.name.empty() || p.name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != std::string::npos)
    return bad("the name must be [A-Za-z0-9._-]+");
  if (p.family != "pahole" && p.family != "btfcheck") return bad("unknown family " + p.family);
  p.takes_jobs = true;
  p.tool = producers::which(path);
  if (p.tool.empty()) p.missing = path + " not found";
  else p.version = producers::first_output_line({p.tool, "--version"});
  return p;
}

nlohmann::json producers_json(const std::vector<producers::Producer>& all) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : all)
    a.push_back({{"name", p.name}, {"family", p.family}, {"tool", p.tool},
                 {"version", p.version}, {"available", p.missing.empty()},
                 {"missing", p.missing}, {"takes_jobs", p.takes_jobs}});
  return a;
}

std::string producers_table(const std::vector<producers::Producer>& all) {
  std::string out;
  char line[1024];
  for (const auto& p : all) {
    std::snprintf(line, sizeof line, "%-17s %-9s %s\n", p.name.c_str(),
                  p.missing.empty() ? "available" : "missing",
                  (p.missing.empty() ? p.version : p.missing).c_str());
    out += line;
  }
  return out;
}

Result<nlohmann::json> run(const Options& o, const ProgressFn& progress) {
  if (o.shards < 1 || o.shard < 1 || o.shard > o.shards)
    return usage("--shard wants i/N with 1 <= i <= N");
  auto all = producers::detect(o.config);
  for (const producers::Producer& d : o.defined) {
    if (producers::lookup(all, d.name).ok())
      return usage("producer " + d.name + " is already defined (pick another name)");
    all.push_back(d);
  }
  if (!o.check_repro.empty() && o.jobs < 2)
    return usage("--check-repro compares a serial run with the -jN one: give -j N with N >= 2");
  EncodingCache cache(o.cache);
  std::vector<producers::Producer> chosen;
  if (o.producers.empty()) {
    for (const auto& p : all)
      if (p.missing.empty()) chosen.push_back(p);
  } else {
    for (const std::string& n : o.producers) {
      auto p = producers::lookup(all, n);
      if (!p.ok()) return p.error();
      chosen.push_back(*p);
    }
  }
  // The reference runs first on every input.
  auto ref = std::find_if(chosen.begin(), chosen.end(),
                          [&](const auto& p) { return p.name == o.reference; });
  if (ref == chosen.end()) {
    auto p = producers::lookup(all, o.reference);
    if (!p.ok()) return p.error();
    chosen.insert(chosen.begin(), *p);
  } else {
    std::rotate(chosen.begin(), ref, ref + 1);
  }
  for (const std::string& n : o.check_repro)
    if (std::none_of(chosen.begin(), chosen.end(), [&](const auto& p) { return p.name == n; }))
      return usage("--check-repro names " + n + ", which is not one of the producers run");
  std::vector<producers::Input> inputs;
  if (o.inputs.empty()) {
    auto c = producers::corpus(o.corpora);
    if (!c.ok()) return c.error();
    inputs = *c;
  } else {
    for (const std::string& s : o.inputs) {
      auto in = producers::resolve_input(s, o.corpora, o.base);
      if (!in.ok()) return in.error();
      inputs.push_back(*in);
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(o.workdir, ec);
  if (ec) return usage("cannot create " + o.workdir + ": " + ec.message());
  nlohmann::json doc;
  doc["schema"] = "btfcheck-matrix/1";
  doc["created"] = std::time(nullptr);
  doc["reference"] = o.reference;
  doc["rules"] = o.rules;
  doc["jobs"] = o.jobs;
  doc["shard"] = std::to_string(o.shard) + "/" + std::to_string(o.shards);
  doc["producers"] = producers_json(chosen);
  doc["runs"] = nlohmann::json::array();
  size_t mine = 0;
  for (size_t i = 0; i < inputs.size(); ++i) mine += int(i % o.shards) == o.shard - 1;
  if (progress) progress(mine * chosen.size(), "", false);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (int(i % o.shards) != o.shard - 1) continue;
    const producers::Input& in = inputs[i];
    std::string ref_out;
    for (const producers::Producer& p : chosen) {
      nlohmann::json r = {{"input", in.name}, {"producer", p.name}, {"version", p.version}};
      if (!in.feature.empty()) r["feature"] = in.feature;
      if (!in.base.empty()) r["base"] = in.base;   // split BTF: what the gate parses it on
      const std::string dir = o.workdir + "/input" + std::to_string(i) + "." + p.name;
      bool hit = false;
      auto out = cache.produce(p, in, o.config, dir, o.jobs, &hit);
      if (!out.ok()) {
        r["status"] = "failed";
        r["reason"] = out.error().str();
      } else if (!out->skipped.empty()) {
        r["status"] = "skipped";
        r["reason"] = out->skipped;
      } else {
        r["status"] = "ok";
        r["output"] = out->btf_path;
        if (hit) r["cached"] = true;
        r["wall_s"] = out->wall_s;
        r["cpu_s"] = out->cpu_s;
        r["peak_rss_kb"] = out->peak_rss_kb;
        double prep = 0;
        for (const auto& s : out->steps) prep += s.role == "prepare" ? s.proc.wall_s : 0;
        r["prepare_s"] = prep;
        r.update(analyze(out->btf_path, in.base));
        if (r.contains("error")) r["status"] = "failed";
        if (r["status"] == "ok" && p.takes_jobs &&
            std::find(o.check_repro.begin(), o.check_repro.end(), p.name) != o.check_repro.end())
          r["repro"] = repro_check(cache, p, in, o, dir, out->btf_path);
        if (p.name == o.reference && r["status"] == "ok") ref_out = out->btf_path;
        else if (!ref_out.empty() && r["status"] == "ok")
          r["vs_reference"] = compare(ref_out, out->btf_path, in.base, o.rules);
      }
      if (progress) {
        std::string line = p.name + " " + in.name + ": " + r["status"].get<std::string>();
        char secs[32];
        std::snprintf(secs, sizeof secs, " %.3f s", r.value("wall_s", 0.0));
        if (r["status"] == "ok") line += secs;
        else line += " (" + r.value("reason", r.value("error", std::string())).substr(0, 200) + ")";
        progress(0, line, r["status"] == "failed");
      }
      doc["runs"].push_back(std::move(r));
    }
  }
  return doc;
}

Result<nlohmann::json> merge(const std::vector<nlohmann::json>& shards) {
  if (shards.empty()) return usage("nothing to merge");
  nlohmann::json doc = shards[0];
  for (size_t i = 1; i < shards.size(); ++i) {
    const auto& s = shards[i];
    if (s.value("schema", "") != doc.value("schema", "") ||
        s.value("reference", "") != doc.value("reference", ""))
      return usage("shard " + std::to_string(i + 1) + " has another schema or reference");
    for (const auto& r : s["runs"]) doc["runs"].push_back(r);
  }
  std::vector<nlohmann::json> runs(doc["runs"].begin(), doc["runs"].end());
  std::stable_sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) {
    return std::tie(a["input"].template get_ref<const std::string&>(),
                    a["producer"].template get_ref<const std::string&>()) <
           std::tie(b["input"].template get_ref<const std::string&>(),
                    b["producer"].template get_ref<const std::string&>());
  });
  doc["runs"] = runs;
  doc["shard"] = "merged " + std::to_string(shards.size());
  return doc;
}

}  // namespace btfcheck::matrix
