// The gate's baseline: reading and writing "btfcheck-baseline/2" documents (and reading the
// older "/1"), and reading a run's BTF (stored blob or output file). A /2 document holds the
// reduced runs only; each ok run names its BTF by "btf": SHA-256 key, and the bytes live in
// a content-addressed blob store beside it (blob_store.h), so identical outputs are stored
// once and an unchanged rerun writes no file. A /1 document kept its blobs inline, base64 in
// a "blobs" object; it is still read, and `gate --update` rewrites it as /2.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>

#include <filesystem>

#include "btf/load.h"
#include "reports/blob_store.h"
#include "reports/gate.h"
#include "reports/text.h"

namespace btfcheck::report {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr const char* kBlob = "blob:";
constexpr const char* kSchemaV1 = "btfcheck-baseline/1";   // blobs inline, base64
constexpr const char* kSchemaV2 = "btfcheck-baseline/2";   // blobs in a content-addressed store

std::optional<std::vector<uint8_t>> b64_decode(const std::string& s) {
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    const char* p = c ? std::strchr(kB64, c) : nullptr;
    if (!p) return std::nullopt;
    acc = (acc << 6) | uint32_t(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> load_output_btf(const std::string& path) {
  auto blob = btf::load_blob(path);
  if (!blob.ok()) return blob.error();
  auto members = btf::split_archive(blob->bytes, blob->file, blob->section);
  if (!members.ok()) return members.error();
  if (members->size() > 1)
    return report_error("gate.archive", path,
                        "is a BTF archive; matrix results name its merged BTF (\"merged_output\")");
  return std::move(blob->bytes);
}

std::string default_blob_dir(const std::string& baseline_path) {
  std::filesystem::path p(baseline_path);
  return (p.parent_path() / (p.stem().string() + ".blobs")).string();
}

Result<Baseline> read_baseline(const std::string& path, const std::string& blob_dir) {
  auto doc = read_json_file(path);
  if (!doc.ok()) return doc.error();
  Baseline b;
  b.blob_dir = blob_dir.empty() ? default_blob_dir(path) : blob_dir;
  const std::string schema =
      doc->is_object() && doc->value("schema", nlohmann::json()).is_string() ? (*doc)["schema"].get<std::string>() : "";
  if (schema == kSchemaV1 || schema == kSchemaV2) {
    if (auto it = doc->find("blobs"); schema == kSchemaV1 && it != doc->end() && it->is_object())
      for (auto bi = it->begin(); bi != it->end(); ++bi) {
        if (!bi->is_string()) return report_error("gate.baseline", path, "blob " + bi.key() + " is not a string");
        auto bytes = b64_decode(bi->get<std::string>());
        if (!bytes) return report_error("gate.baseline", path, "blob " + bi.key() + " is not base64");
        b.blobs[bi.key()] = std::move(*bytes);
      }
    if (auto it = doc->find("runs"); it != doc->end() && it->is_array())
      for (auto& run : *it)
        if (run.is_object() && run.contains("btf") && run["btf"].is_string())
          run["output"] = kBlob + run["btf"].get<std::string>();
  }
  auto res = load_results({{path, std::move(*doc)}}, schema == kSchemaV1 ? kSchemaV1 : kSchemaV2);
  if (!res.ok()) return res.error();
  b.results = std::move(*res);
  return b;
}

Result<std::vector<uint8_t>> run_btf(const Baseline& b, const Run& r) {
  if (r.output.rfind(kBlob, 0) == 0) {
    const std::string key = r.output.substr(5);
    if (auto it = b.blobs.find(key); it != b.blobs.end()) return it->second;   // a /1 baseline
    if (!std::filesystem::exists(blob_path(b.blob_dir, key)))
      return report_error("gate.baseline", blob_path(b.blob_dir, key),
                          "blob of " + r.producer + " on " + r.input + " is missing from the store");
    return load_blob(b.blob_dir, key);
  }
  if (r.output.empty())
    return report_error("gate.baseline", "", "no BTF recorded for " + r.producer + " on " + r.input);
  return load_output_btf(r.output);
}

Result<nlohmann::json> make_baseline(const Results& r, const std::string& blob_dir,
                                     BlobStats* stats, std::vector<std::string>* notes) {
  nlohmann::json runs = nlohmann::json::array();
  for (const Run& run : r.runs) {
    nlohmann::json j = run_json(run);
    j.erase("feature");   // the corpus manifest's description, not something the gate checks
    if (run.ok()) {
      auto bytes = load_output_btf(run.output);
      if (bytes.ok()) {
        auto written = store_blob(blob_dir, *bytes);
        if (!written.ok()) return written.error();
        const std::string key = blob_key(*bytes);
        if (stats) {
          stats->written += *written;
          stats->referenced.insert(key);
        }
        j["btf"] = key;
      } else if (notes) {
        notes->push_back(run.producer + " on " + run.input + ": BTF not stored (" +
                         bytes.error().str() + "); a digest change will fail without a diff");
      }
    }
    runs.push_back(std::move(j));
  }
  nlohmann::json prods = nlohmann::json::array();
  for (const auto& p : r.producers)
    prods.push_back({{"name", p.name}, {"family", p.family}, {"version", p.version},
                     {"available", p.available}, {"missing", p.missing}});
  return nlohmann::json{{"schema", kSchemaV2}, {"reference", r.reference},
                        {"rules", r.rules},     {"created", r.created},
                        {"producers", prods},   {"runs", runs},
                        {"blob_store", "SHA-256.btf.xz files in the blob directory"}};
}

std::vector<std::string> baseline_changes(const Results& old, const Results& now) {
  std::vector<std::string> out;
  std::set<std::pair<std::string, std::string>> keys;
  for (const Run& r : old.runs) keys.emplace(r.input, r.producer);
  for (const Run& r : now.runs) keys.emplace(r.input, r.producer);
  for (const auto& [in, p] : keys) {
    const Run* a = old.find(in, p);
    const Run* b = now.find(in, p);
    const std::string who = p + " on " + in + ": ";
    if (!a) { out.push_back(who + "added (" + b->status + ")"); continue; }
    if (!b) { out.push_back(who + "removed"); continue; }
    if (a->status != b->status) out.push_back(who + "status " + a->status + " -> " + b->status);
    if (!a->ok() || !b->ok()) continue;
    if (a->digest != b->digest) out.push_back(who + "digest " + a->digest + " -> " + b->digest);
    if (a->size.total != b->size.total)
      out.push_back(who + "size " + std::to_string(a->size.total) + " -> " + std::to_string(b->size.total));
    if (a->verify.valid != b->verify.valid || a->verify.rules != b->verify.rules)
      out.push_back(who + "verify " + std::to_string(a->verify.violations) + " -> " +
                    std::to_string(b->verify.violations) + " violation(s)");
    if (a->version != b->version) out.push_back(who + "version " + a->version + " -> " + b->version);
  }
  return out;
}

}  // namespace btfcheck::report
