// btfcheck gate: pass/fail a matrix run against a committed baseline.
//
// Baseline (schema "btfcheck-baseline/2", written by `gate --update`): the matrix runs
// reduced to what the gate compares (status, digest, sizes, types, wall time, verify), each
// ok run naming its BTF (the output's .BTF, archives merged with libbpf as the matrix
// analyses them) by SHA-256; the bytes live in a content-addressed store beside the JSON
// (blob_store.h), so identical outputs are stored once and unchanged ones never rewritten.
// The BTF is kept because a changed digest is only actionable with the canonical diff (what
// changed, where), and suppressions match that diff. A "/1" baseline (blobs inline, base64)
// is still read. A plain matrix results file is accepted as a baseline too; its `output` paths
// are then read for the diff when they still exist.
//
// Checks, per (input, producer):
//   status   a run that is `failed` now fails the gate (a warning when it failed before)
//   digest   a changed canonical digest fails unless every change of the canonical diff
//            (baseline BTF vs new output, strict rules by default, leaf mode) is suppressed
//   size     BTF bytes growing more than size_pct percent fail
//   verify   a run that verified clean must still; a rule whose count grows fails
//   family   (with a family budget) a size family of the matrix's breakdown growing more than
//            the budget's percentage and more than its floor in bytes fails
//   repro    a run the matrix also ran serially (matrix --check-repro) whose -jN output
//            differs from the serial one fails: in bytes (with whether the canonical graph
//            differs too), or only canonically with repro_canonical
//   missing  runs in the baseline but not in the results (or now skipped): warning
//   new      runs not in the baseline: notice
// and per producer:
//   speed    sum of wall time over inputs where the producer and the reference both ran ok,
//            divided by the reference's: fails over the budget (per producer or default)
//   rss      the largest peak RSS over those inputs, divided by the reference's: the same
// Findings of checks run outside the matrix (the gate suite's verify --kernel and kernel
// load) join these (GateOptions::external) and are reported the same way.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "btf/error.h"
#include "comparator/diff/suppress.h"
#include "reports/results.h"

namespace btfcheck::report {

struct Baseline {
  Results results;                                  // runs; Run.output = "blob:KEY" or path
  std::string blob_dir;                             // the blob store (blob_store.h)
  std::map<std::string, std::vector<uint8_t>> blobs;   // a /1 baseline's inline blobs
};

// Where a baseline's blobs live unless the caller says: beside it, "<stem>.blobs/".
std::string default_blob_dir(const std::string& baseline_path);
// Reads a baseline file (btfcheck-baseline/2 or /1, or btfcheck-matrix/1); blob_dir "" means
// default_blob_dir(path).
Result<Baseline> read_baseline(const std::string& path, const std::string& blob_dir = "");
// The BTF of a run for diffing: the blob when the baseline stores one, else the output file.
Result<std::vector<uint8_t>> run_btf(const Baseline& b, const Run& r);

// The raw BTF of a matrix output file: its .BTF (or the raw file), an archive merged with
// libbpf. Error names the file.
Result<std::vector<uint8_t>> load_output_btf(const std::string& path);

// A new baseline from results: every run, each ok run naming its BTF (read from its output)
// by key, the bytes stored in `blob_dir` unless already there. `stats` counts the files
// written and collects every key referenced (for pruning); `notes` receives one line per
// ok run whose output could not be read.
struct BlobStats {
  size_t written = 0;
  std::set<std::string> referenced;
};
Result<nlohmann::json> make_baseline(const Results& r, const std::string& blob_dir,
                                     BlobStats* stats, std::vector<std::string>* notes);
// What changed from `old` to `now` (one line each), for `gate --update`.
std::vector<std::string> baseline_changes(const Results& old, const Results& now);

struct SpeedBudget {
  std::optional<double> all;                 // every producer but the reference
  std::map<std::string, double> per_producer;
  // "RATIO" or "PRODUCER=RATIO,..." (both may be mixed); Error on bad syntax.
  static Result<SpeedBudget> parse(const std::string& spec);
  std::optional<double> for_producer(const std::string& p) const;
};

struct Finding {
  std::string level;          // error | warning | notice
  std::string check;          // status digest size verify family repro missing new speed rss, or external
  std::string input, producer;
  std::string title, message;
  std::vector<std::string> details;   // e.g. every change of a canonical diff
  std::string file;           // case source for annotations ("" = none)
  int line = 0;
  double weight = 0;          // for worst-first ordering
};

struct GateOptions {
  double size_pct = 5;                   // fail when BTF grows more than this (percent)
  SpeedBudget speed;                     // empty: no speed check
  SpeedBudget rss;                       // peak RSS ratio budget; empty: no RSS check
  std::optional<double> family_pct;      // size family budget (percent); none: no family check
  int64_t family_min_bytes = 1024;       // ... and growth below this many bytes never fails
  bool repro_canonical = false;          // repro: fail only when the canonical graph differs
  std::set<std::string> producers;       // producers whose runs are gated ({} = all)
  std::vector<Finding> external;         // findings of checks made outside the matrix
  std::vector<std::string> rules;        // canonical-diff rules (default strict)
  std::vector<diff::Suppression> suppressions;
  std::string corpus_dir;                // to name case sources in annotations
  std::map<std::string, std::vector<std::string>> case_sources;  // corpus case -> its source files
  std::string cwd;                       // annotation paths are relative to it when below it
  size_t max_changes = 20;               // changes listed per run (all are counted)
};


struct Case {                 // one JUnit test case
  std::string input, producer;   // input "" = a producer-level check (speed, rss)
  double time_s = 0;
  bool skipped = false;
  std::string skip_reason;
  std::string name;              // producer-level: the check ("speed", "rss"); "" for runs
};

struct GateResult {
  std::vector<Finding> findings;   // errors first (heaviest first), then warnings, notices
  std::vector<Case> cases;
  std::vector<std::string> accepted;   // suppressed changes, with the reason
  size_t compared = 0;                 // runs compared
  bool pass() const;
  size_t count(const std::string& level) const;
};

GateResult gate(const Baseline& base, const Results& now, const GateOptions& o);

// Findings from a JSON array of {"level", "check", "input", "producer", "title", "message",
// "details": [...]} (a file the gate suite writes); Error naming the file and the entry.
Result<std::vector<Finding>> parse_findings(const nlohmann::json& doc, const std::string& file);

// Writers.
std::string junit_xml(const GateResult& g);
std::string annotations(const GateResult& g);   // ::error file=...,title=...::message lines
std::string gate_markdown(const GateResult& g, const Results& now, const std::string& baseline);

// Best-effort source location of a change path ("struct foo.bar") in C sources: the line
// that defines the type, or the member's line inside it. {file, line} or {"", 0}.
std::pair<std::string, int> locate(const std::vector<std::string>& sources, const std::string& path);

}  // namespace btfcheck::report
