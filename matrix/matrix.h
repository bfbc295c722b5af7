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
#include "comparator/size/size.h"
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
  std::vector<producers::Producer> defined;   // extra producers (define_producer), by name
  std::vector<std::string> check_repro; // producers also run serially (-j1), outputs compared
  std::string cache;                    // encoding cache directory (cache.h); "" = none
};

// A producer named by the user: "NAME=FAMILY:PATH" with FAMILY pahole or btfcheck (a second
// pahole next to the default one, e.g. a release as the reference of a pahole under test).
// NAME is [A-Za-z0-9._-]+; Error rule "usage.producer" otherwise.
Result<producers::Producer> define_producer(const std::string& spec);

// One analysed BTF: sizes per section, types per kind, verify result, digest. Archive
// outputs (several members) are merged with libbpf first and say so.
nlohmann::json analyze(const std::string& btf_path, const std::string& base_path);

// The recorded form of a size breakdown: {"bytes", "families": {the `top` largest by bytes
// (ties by name), and kRestFamily holding the others' sum when there are more},
// "family_count", "kinds": {every kind line}}.
inline constexpr const char* kRestFamily = "(other families)";
nlohmann::json size_breakdown_json(const size::Breakdown& b, size_t top = 30);

// Called before the first run with the number of runs (total = 0, line empty), then after
// each run with a line such as "clang-14 bitfields: ok 0.05 s"; `failed` marks failures.
using ProgressFn = std::function<void(size_t total, const std::string& line, bool failed)>;

// Runs the matrix.
Result<nlohmann::json> run(const Options& opts, const ProgressFn& progress);

// Runs of a producer named in Options::check_repro carry "repro": the serial run's bytes and
// time, "bytes_equal", and when the bytes differ "canonical" (the strict canonical diff of the
// serial output against the -jN one: equal, changes, summary, first_changes), or "error".
// Runs served by the encoding cache carry "cached": true (their figures are the stored ones).

// Joins shard results (same schema, disjoint inputs) into one document.
Result<nlohmann::json> merge(const std::vector<nlohmann::json>& shards);

// The producers as a JSON array and as a text table (`matrix --list`).
nlohmann::json producers_json(const std::vector<producers::Producer>& all);
std::string producers_table(const std::vector<producers::Producer>& all);

}  // namespace btfcheck::matrix
