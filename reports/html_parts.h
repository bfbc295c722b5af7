// Sections of the report that live outside html.cc: the size breakdown charts
// (size_charts.cc) and the feature-cost table and chart (feature_cost.cc, also rendered for
// summary.md and report.json). Each is built from the model only; every string from an
// input is escaped.
#pragma once

#include <string>

#include "reports/report.h"

namespace btfcheck::report {

// Stacked bars per producer x input: bytes by size family (the report's largest families,
// the rest as one segment) and bytes by kind. Empty when no run recorded a breakdown.
std::string size_breakdown_section(const Results& r);

// Line chart of the largest size families (per producer) over the history's entries.
std::string family_trend_chart(const Options& o);

// The feature-cost experiments: a table per experiment and one chart of every row's delta,
// split into the delta's largest families.
std::string feature_cost_section(const std::vector<FeatureCost>& costs);
// The same experiments for summary.md and report.json.
std::string feature_cost_markdown(const std::vector<FeatureCost>& costs);
nlohmann::json feature_cost_json(const std::vector<FeatureCost>& costs);

}  // namespace btfcheck::report
