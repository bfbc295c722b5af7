// btfcheck report: matrix results -> one self-contained HTML page (inline SVG charts, no
// script, no network), a short markdown summary (GitHub step summary) and a JSON document
// of the aggregates; optionally a history (JSON Lines, one line per run) for trend charts.
//
//   auto res = load_results(docs);                 // results.h
//   Options o{.title = "...", .history = parse_history(text)};
//   render_html(*res, o); render_markdown(*res, o); render_json(*res, o);
//
// Everything is a pure function of the inputs: no clock, no environment; the only dates in
// the outputs are the results' own "created" times and the history's.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/results.h"

namespace btfcheck::report {

// One producer in one history line.
struct Point {
  int ok = 0;
  int64_t size = 0, types_bytes = 0, strings_bytes = 0, types = 0;
  double wall_s = 0, cpu_s = 0;
  int64_t max_rss_kb = 0, violations = 0, vs_changes = 0;
  std::map<std::string, int64_t> families;   // size families summed over ok runs (recorded ones)
};

struct HistoryEntry {
  std::string commit, date;
  int64_t created = 0;
  std::map<std::string, Point> producers;
};

// The history line of a run: {"schema": "btfcheck-history/1", "commit", "date" (the
// results' created time, UTC), "created", "reference", "producers": {name: Point}}.
nlohmann::json history_entry(const Results& r, const std::string& commit);
// Parses JSON Lines; malformed lines are skipped and counted in *skipped.
std::vector<HistoryEntry> parse_history(const std::string& text, size_t* skipped = nullptr);
// old text + entry, as JSON Lines; an existing line with the same commit and created time is
// replaced (re-running a report does not duplicate a point).
std::string append_history(const std::string& old_text, const nlohmann::json& entry);

// A feature-cost experiment (`btfcheck size --features`, schema "btfcheck-feature-cost/1"):
// one ELF encoded by one producer with and without each feature.
struct FeatureCostRow {
  std::string feature;
  bool in_default = false;            // cost = default - (default without it)
  std::string with, without;          // the two feature lists compared
  int64_t bytes_with = 0, bytes_without = 0;
  std::vector<std::pair<std::string, int64_t>> families;   // largest |delta| first
  std::vector<std::pair<std::string, int64_t>> kinds;
  std::string error;                  // the encoding failed
  int64_t delta() const { return bytes_with - bytes_without; }
};
struct FeatureCost {
  std::string file, input, producer, version, baseline;
  int64_t baseline_bytes = 0;
  std::vector<FeatureCostRow> rows;
};
inline constexpr const char* kFeatureCostSchema = "btfcheck-feature-cost/1";
// Reads one document (tolerant of missing fields, like load_results); Error when its schema
// is not kFeatureCostSchema.
Result<FeatureCost> parse_feature_cost(const nlohmann::json& doc, const std::string& file);

struct Options {
  std::string title = "btfcheck matrix report";
  std::vector<HistoryEntry> history;   // including this run's line when appended
  std::vector<FeatureCost> feature_costs;
};

// A finding worth attention, most severe first (failed runs, verify violations, canonical
// changes vs the reference, size and time growth vs the previous history entry).
struct Worst {
  std::string input, producer;   // input "" = the producer as a whole
  std::string what;
  double score = 0;
};
std::vector<Worst> worst_first(const Results& r, const Options& o);

std::string render_html(const Results& r, const Options& o);
std::string render_markdown(const Results& r, const Options& o);
nlohmann::json render_json(const Results& r, const Options& o);

}  // namespace btfcheck::report
