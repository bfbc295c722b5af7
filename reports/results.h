// Matrix results (schema "btfcheck-matrix/1", README "matrix") as a typed, sorted model that
// the report (HTML, markdown, JSON, history) and the gate read. Loading tolerates missing or
// mistyped fields (they read as absent/0) but not a document of another schema. Runs are
// sorted by (input name, producer order), producers in the order the results list them
// (the matrix's detection order), so every renderer is deterministic whatever the shard or
// merge order was.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "btf/error.h"

namespace btfcheck::report {

struct Sizes {
  int64_t total = 0, header = 0, types = 0, strings = 0;
};

// The matrix's size breakdown of a run (comparator/size, recorded compactly by the matrix:
// the largest families and "(other families)", every kind). Empty when not recorded.
struct Breakdown {
  int64_t bytes = 0;                          // what the lines sum to (the analysed BTF)
  int64_t family_count = 0;                   // families in the BTF, before the cut
  std::map<std::string, int64_t> families;    // family -> bytes
  std::map<std::string, int64_t> kinds;       // kind line -> bytes
  bool present() const { return !families.empty() || !kinds.empty(); }
};
inline constexpr const char* kRestFamily = "(other families)";   // as matrix.h records it

// The matrix's serial-vs--jN check of a run ("repro").
struct ReproCheck {
  bool present = false;
  std::string error;                 // the check could not be made
  int64_t jobs = 0;
  bool bytes_equal = true;
  bool canonical_checked = false, canonical_equal = true;
  int64_t changes = 0;
  std::vector<std::string> first_changes;
  double serial_wall_s = 0;
};

struct VerifyResult {
  bool present = false;   // the run recorded a verify result
  bool valid = true;
  int64_t violations = 0;
  std::map<std::string, int64_t> rules;   // rule -> count
};

struct VsReference {
  bool present = false;
  bool equal = true;
  int64_t changes = 0;
  std::map<std::string, int64_t> summary;   // category -> count
  std::vector<std::string> first_changes;
  std::string error;                         // the diff could not be made
};

struct Run {
  std::string input, feature, producer, version;
  std::string status;     // ok | skipped | failed (anything else is kept as is)
  std::string reason;     // skipped/failed: why
  std::string output;     // plain BTF path (matrix "merged_output" for archives, else "output") or stored blob key (baseline)
  std::string base;       // split BTF: the base file it was made on ("" = base BTF)
  std::string digest;     // canonical digest, 16 hex digits
  std::string error;      // analysis error recorded by the matrix
  double wall_s = 0, cpu_s = 0, prepare_s = 0;
  int64_t peak_rss_kb = 0;
  Sizes size;
  Breakdown breakdown;
  ReproCheck repro;
  bool cached = false;    // the encoding came from the matrix's cache (figures as stored)
  int64_t types = 0, members = 0;
  std::map<std::string, int64_t> kinds;
  VerifyResult verify;
  VsReference vs_ref;
  bool ok() const { return status == "ok"; }
};

struct ProducerInfo {
  std::string name, family, version, missing;
  bool available = true;
};

struct Results {
  std::string schema;                  // of the (first) document
  std::string reference;
  std::vector<std::string> rules;
  int64_t created = 0;                 // newest "created" of the documents (UNIX time)
  std::vector<std::string> files;      // where the documents came from
  std::vector<ProducerInfo> producers; // every producer listed or seen in a run, in order
  std::vector<std::string> inputs;     // sorted
  std::vector<Run> runs;               // sorted by (input, producer order)

  // Index of a producer in `producers` (producers.size() when absent).
  size_t producer_index(const std::string& name) const;
  // The run of (input, producer), or nullptr.
  const Run* find(const std::string& input, const std::string& producer) const;
};

// One run from a matrix run object (also used for baseline runs).
Run parse_run(const nlohmann::json& j);
nlohmann::json run_json(const Run& r);   // the inverse, for the fields the model keeps

// Joins documents (name, parsed JSON). Each must have schema "btfcheck-matrix/1" (or
// `extra_schema` when non-empty, for the gate's baseline). A second run of the same
// (input, producer) in another document is an error naming both files.
Result<Results> load_results(const std::vector<std::pair<std::string, nlohmann::json>>& docs,
                             const std::string& extra_schema = "");

// An Error with rule, file and message (the one constructor the report/gate code uses).
Error report_error(const std::string& rule, const std::string& file, const std::string& msg);

// Reads and parses one JSON file; Error rule "io.read" / "report.json".
Result<nlohmann::json> read_json_file(const std::string& path);

// read_json_file on every path, then load_results.
Result<Results> load_result_files(const std::vector<std::string>& paths);

// Per producer totals over a run set.
struct Totals {
  std::string producer, version;
  int ok = 0, skipped = 0, failed = 0;
  Sizes size;               // sums over ok runs
  int64_t types = 0;
  double wall_s = 0, cpu_s = 0;
  int64_t max_rss_kb = 0;
  int verify_clean = 0, verify_dirty = 0;
  int64_t violations = 0;
  std::map<std::string, int64_t> rules, kinds;
  int vs_equal = 0, vs_differ = 0, vs_error = 0;
  int64_t vs_changes = 0;
};
std::vector<Totals> totals(const Results& r);   // in producer order, producers with runs

}  // namespace btfcheck::report
