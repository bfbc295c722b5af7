// Feature cost (`btfcheck size --features LIST ELF`): what each BTF feature of pahole's
// `--btf_features` costs in bytes, and where those bytes go. The ELF is encoded once per
// distinct feature list by a producer (through the producers' staging, so the tool sees
// generated names only, and through the encoding cache when one is given), each output is
// charged by comparator/size, and each feature's row compares two encodings:
//   - a feature outside the default set: `default` against `default` plus the feature;
//   - a feature in the default set (decl_tag_kfuncs): the default without it against
//     `default`, so the row still says what the feature adds.
// Producers are pluggable: pahole master (`--btf_features=...`; every feature must be in its
// `--supported_btf_features`) or btfcheck's own encoder (`encode dwarf --compat=pahole-master
// --features=default,+X` / `default,-X`).
//
// The result is one JSON document, schema "btfcheck-feature-cost/1":
//   {"schema", "input", "input_path", "base", "producer", "tool", "version", "jobs",
//    "baseline": {"features", "bytes"},
//    "encodings": [{"features", "bytes", "wall_s", "peak_rss_kb", "cached"}],
//    "rows": [{"feature", "in_default", "without", "with", "bytes_without", "bytes_with",
//              "delta", "percent", "families": [{"name", "without", "with", "delta"}] (the
//              kRowFamilies largest |delta|), "kinds": [... every kind that changed]}]}
// `btfcheck report` draws it; render_feature_cost_text() is the terminal table.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "btf/error.h"
#include "encoder/producers/producers.h"

namespace btfcheck::matrix {

// pahole master's `default` set (pahole.c's btf_features[] rows marked default): what a 6.12
// kernel's Makefile.btf asks for.
extern const std::vector<std::string> kPaholeDefaultFeatures;

struct FeatureCostOptions {
  std::string elf, base;                 // the input (a module: its vmlinux as base)
  std::vector<std::string> features;     // pahole feature names
  std::string producer = "pahole-master";   // or "btfcheck"
  producers::Config config;              // config.pahole: the pahole master binary
  std::vector<std::string> extra_flags;  // more pahole flags for every encoding (e.g. --lang_exclude=rust)
  int jobs = 0;                          // -jN for the producer (0: none)
  std::string workdir, cache;            // outputs; encoding cache ("" = none)
};

// Called after each encoding with a line such as "default,global_var: 57.5 s, 6,394,551 bytes".
using FeatureProgress = std::function<void(const std::string& line)>;

Result<nlohmann::json> feature_cost(const FeatureCostOptions& o, const FeatureProgress& progress);

// The table: one row per feature (cost, percent, the cost's largest families), a note for
// features in the default set.
std::string render_feature_cost_text(const nlohmann::json& doc, size_t families = 3);

}  // namespace btfcheck::matrix
