// What the matrix records about one BTF output. Everything here reads the output through
// our own reader; an archive (several concatenated blobs) is merged with libbpf first, as a
// loader would, so its verify result and digest are those of the merged BTF, and the merged
// blob is written beside it ("merged_output": PATH.merged.btf) so that reports and the gate read one
// plain BTF per run without merging anything themselves.
#include <cstdio>

#include "btf/load.h"
#include "canon/canon.h"
#include "comparator/verify/verify.h"
#include "encoder/archive/archive.h"
#include "matrix/matrix.h"

namespace btfcheck::matrix {

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
