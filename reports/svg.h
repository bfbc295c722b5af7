// Inline SVG charts for the HTML report: horizontal (grouped, stacked) bar charts and line
// charts. No script, no external resource: each chart is one <svg> element whose marks carry
// class "mark" (a bar is a <g class="mark"> holding one <rect class="seg"> per segment; a
// trend point is a <circle class="mark">), a <title> tooltip, and data-* attributes naming
// what they show, so a test can count marks per chart.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace btfcheck::report::svg {

struct Segment {
  double value = 0;
  std::string color;     // CSS colour
  double opacity = 1;
  std::string label;     // for the tooltip ("types", "strings", "STRUCT")
};

struct Bar {
  std::string series;              // e.g. producer name (shown at the bar's left when
                                   // the group holds several bars)
  std::string group;               // e.g. case name; data-group
  std::vector<Segment> segs;
  std::string tooltip;             // extra tooltip text after "group series: value"
};

struct Group {
  std::string label;
  std::vector<Bar> bars;
};

struct BarChart {
  std::string id, title;
  std::string unit;                                   // axis caption
  std::vector<Group> groups;
  std::vector<std::pair<std::string, std::string>> legend;   // (label, colour)
  std::string (*format)(double) = nullptr;           // value labels and ticks
  bool value_labels = false;                         // print the total at each bar's end
  int bar_height = 14;
};

struct Series {
  std::string name, color;
  std::vector<std::optional<double>> ys;   // one per x; nullopt = no point
};

struct LineChart {
  std::string id, title, unit;
  std::vector<std::string> xlabels;
  std::vector<Series> series;
  std::string (*format)(double) = nullptr;
};

std::string render(const BarChart& c);
std::string render(const LineChart& c);

// Fixed palettes: index -> colour (wraps around).
const std::string& producer_color(size_t i);
const std::string& kind_color(size_t i);

}  // namespace btfcheck::report::svg
