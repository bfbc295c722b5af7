// The producer matrix: every producer on every input; each output verified, measured,
// digested and diffed against a reference producer's output for the same input. Results
// are one JSON document (schema "btfcheck-matrix/1", described in README "matrix"), which
// shards produce separately and merge() joins.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "btf/error.h"
#include "encoder/producers/producers.h"

namespace btfcheck::matrix {

struct Options {
  std::vector<std::string> producers;   // names; empty = every available producer
  std::vector<std::string> inputs;      // case names, C files or ELF paths; empty = corpus
  std::string base;                     // base BTF for ELF inputs (modules)
  std::string reference = "pahole";     // producer every output is diffed against
  std::vector<std::string> rules;       // canonical-diff rules for those diffs
  int shard = 1, shards = 1;            // this run does inputs i with i % shards == shard-1
  int jobs = 0;                         // -jN for producers that take it (0: their default)
  std::string workdir;                  // where outputs go (kept)
  std::string corpora;                  // corpus directory (manifest.json)
  producers::Config config;
};

// One analysed BTF: sizes per section, types per kind, verify result, digest. Archive
// outputs (several members) are merged with libbpf first and say so.
nlohmann::json analyze(const std::string& btf_path, const std::string& base_path);

// Called before the first run with the number of runs (total = 0, line empty), then after
// each run with a line such as "clang-14 bitfields: ok 0.05 s"; `failed` marks failures.
using ProgressFn = std::function<void(size_t total, const std::string& line, bool failed)>;

// Runs the matrix.
Result<nlohmann::json> run(const Options& opts, const ProgressFn& progress);

// Joins shard results (same schema, disjoint inputs) into one document.
Result<nlohmann::json> merge(const std::vector<nlohmann::json>& shards);

// The producers as a JSON array and as a text table (`matrix --list`).
nlohmann::json producers_json(const std::vector<producers::Producer>& all);
std::string producers_table(const std::vector<producers::Producer>& all);

}  // namespace btfcheck::matrix
