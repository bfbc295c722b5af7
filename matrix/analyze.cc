// What the matrix records about one BTF output. Everything here reads the output through
// our own reader; an archive (several concatenated blobs) is merged with libbpf first, as a
// loader would, so its verify result and digest are those of the merged BTF, and the merged
// blob is written beside it ("merged_output": PATH.merged.btf) so that reports and the gate read one
// plain BTF per run without merging anything themselves. The size breakdown
// (comparator/size) is recorded compactly: every kind's bytes, the kFamilies largest name
// families and the rest summed under kRestFamily, so a kernel's 5,000-odd families cost a
// few hundred bytes per run.
#include <algorithm>
#include <cstdio>

#include "btf/load.h"
#include "canon/canon.h"
#include "comparator/size/size.h"
#include "comparator/verify/verify.h"
#include "encoder/archive/archive.h"
#include "matrix/matrix.h"

namespace btfcheck::matrix {

nlohmann::json size_breakdown_json(const size::Breakdown& b, size_t top) {
  std::vector<std::pair<std::string, uint64_t>> fams(b.families.begin(), b.families.end());
  std::stable_sort(fams.begin(), fams.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });   // ties: by name
  nlohmann::json families = nlohmann::json::object();
  uint64_t rest = 0;
  for (size_t i = 0; i < fams.size(); ++i) {
    if (i < top) families[fams[i].first] = fams[i].second;
    else rest += fams[i].second;
  }
  if (fams.size() > top) families[kRestFamily] = rest;
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& [k, n] : b.kinds) kinds[k] = n;
  return {{"bytes", b.total}, {"families", families}, {"family_count", fams.size()}, {"kinds", kinds}};
}

nlohmann::json analyze(const std::string& path, const std::string& base_path) {
  nlohmann::json j;
  std::shared_ptr<const btf::Btf> base;
  if (!base_path.empty()) {
    auto b = btf::open_btf(base_path);
    if (!b.ok()) return {{"error", b.error().str()}};
    base = *b;
  }
  size_t members = 0;
  auto parsed = archive::open_merged(path, base, &members);
  if (!parsed.ok()) return {{"error", parsed.error().str()}};
  auto raw = btf::load_blob(path);
  j["members"] = members;
  j["size"] = {{"total", raw.ok() ? raw->bytes.size() : 0}};
  const btf::Btf& b = **parsed;
  if (members > 1) {
    j["merged"] = {{"by", "libbpf btf__add_btf + btf__dedup"}};
    const std::string merged = path + ".merged.btf";
    if (std::string err = btf::write_file(merged, b.bytes()); !err.empty()) return {{"error", err}};
    j["merged_output"] = merged;
  }
  const btf::Header& h = b.header();
  j["size"]["header"] = h.hdr_len;
  j["size"]["types"] = h.type_len;
  j["size"]["strings"] = h.str_len;
  j["types"] = b.own_count();
  nlohmann::json kinds = nlohmann::json::object();
  for (uint32_t id = b.start_id(); id < b.type_count(); ++id) {
    const std::string k(b.type(id).kind_name());
    kinds[k] = kinds.value(k, 0) + 1;
  }
  j["kinds"] = kinds;
  j["size_breakdown"] = size_breakdown_json(size::breakdown(b));
  const verify::Report rep = verify::verify(b);
  nlohmann::json rules = nlohmann::json::object();
  for (const verify::Violation& v : rep.violations) {
    const std::string r(v.rule);
    rules[r] = rules.value(r, 0) + 1;
  }
  j["verify"] = {{"valid", rep.valid()}, {"violations", rep.violations.size()}, {"rules", rules}};
  j["digest"] = canon::hex64(canon::graph_digest(canon::build(b)));
  return j;
}

}  // namespace btfcheck::matrix
