// The gate's baseline: reading and writing "btfcheck-baseline/1" documents, and reading a
// run's BTF (stored blob or output file). Blobs are base64 in one "blobs" object keyed by
// "<fnv1a-64 hex>-<size>", so the baseline is one file (atomic update, no stale siblings) and
// identical outputs are stored once. A run refers to its blob by "btf": key.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>

#include "btf/load.h"
#include "reports/gate.h"
#include "reports/text.h"

namespace btfcheck::report {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr const char* kBlob = "blob:";

std::string b64_encode(const std::vector<uint8_t>& in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = uint32_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint32_t(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= in[i + 2];
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kB64[v & 63] : '=';
  }
  return out;
}

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

std::string blob_key(const std::vector<uint8_t>& b) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint8_t c : b) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf) + "-" + std::to_string(b.size());
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

Result<Baseline> read_baseline(const std::string& path) {
  auto doc = read_json_file(path);
  if (!doc.ok()) return doc.error();
  Baseline b;
  if (doc->is_object() && doc->value("schema", nlohmann::json()).is_string() &&
      (*doc)["schema"] == "btfcheck-baseline/1") {
    if (auto it = doc->find("blobs"); it != doc->end() && it->is_object())
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
  auto res = load_results({{path, std::move(*doc)}}, "btfcheck-baseline/1");
  if (!res.ok()) return res.error();
  b.results = std::move(*res);
  return b;
}

Result<std::vector<uint8_t>> run_btf(const Baseline& b, const Run& r) {
  if (r.output.rfind(kBlob, 0) == 0) {
    auto it = b.blobs.find(r.output.substr(5));
    if (it == b.blobs.end())
      return report_error("gate.baseline", b.results.files.empty() ? "" : b.results.files[0],
                 "blob " + r.output.substr(5) + " of " + r.producer + " on " + r.input + " is missing");
    return it->second;
  }
  if (r.output.empty())
    return report_error("gate.baseline", "", "no BTF recorded for " + r.producer + " on " + r.input);
  return load_output_btf(r.output);
}

Result<nlohmann::json> make_baseline(const Results& r, std::vector<std::string>* notes) {
  nlohmann::json runs = nlohmann::json::array(), blobs = nlohmann::json::object();
  for (const Run& run : r.runs) {
    nlohmann::json j = run_json(run);
    if (run.ok()) {
      auto bytes = load_output_btf(run.output);
      if (bytes.ok()) {
        const std::string key = blob_key(*bytes);
        if (!blobs.contains(key)) blobs[key] = b64_encode(*bytes);
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
  return nlohmann::json{{"schema", "btfcheck-baseline/1"}, {"reference", r.reference},
                        {"rules", r.rules},           {"created", r.created},
                        {"producers", prods},         {"runs", runs},
                        {"blobs", blobs}};
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
