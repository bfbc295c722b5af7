// Running one producer on one input and opening what it made, for repro and bisect.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/error.h"
#include "canon/canon.h"
#include "comparator/diff/diff.h"
#include "encoder/producers/producers.h"

namespace btfcheck::cli {

struct Made {
  std::string skipped;                 // clean skip (tool missing, not applicable)
  std::vector<uint8_t> bytes;          // the BTF bytes (section or raw file)
  std::shared_ptr<const btf::Btf> btf; // parsed (archives merged with libbpf)
  double wall_s = 0;
  long peak_rss_kb = 0;
};

// produce() into `dir`, then load the BTF (merging an archive).
Result<Made> make_btf(const producers::Producer& p, const producers::Input& in,
                      const producers::Config& cfg, const std::string& dir, int jobs);

// Canonical diff of two BTFs under `rules` (leaf mode); `only_type` keeps the changes of
// named types called that ("" keeps all).
diff::Report canonical_diff(const btf::Btf& a, const btf::Btf& b,
                            const std::vector<std::string>& rules,
                            const std::string& only_type = "");

}  // namespace btfcheck::cli
