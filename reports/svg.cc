// Chart layout. Bar charts: one row per bar, groups separated by a gap and labelled at the
// left; a linear x scale from 0 to a "nice" maximum (1, 2 or 5 times a power of ten) with
// five ticks. Line charts: x evenly spaced over the entries, y linear from 0. Coordinates
// are printed with one decimal, so the bytes depend only on the data.
#include "reports/svg.h"

#include <algorithm>
#include <cmath>

#include "reports/text.h"

namespace btfcheck::report::svg {
namespace {

constexpr int kWidth = 960, kLeft = 190, kRight = 90, kTop = 34, kAxis = 26;

std::string n1(double v) { return fmt(v, 1); }

double nice_max(double v) {
  if (!(v > 0) || !std::isfinite(v)) return 1;
  const double p = std::pow(10, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (v <= m * p) return m * p;
  return 10 * p;
}

std::string default_format(double v) { return fmt(v, v < 10 ? 2 : 0); }

std::string header(const std::string& id, const std::string& title, int height) {
  return "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" +
         html_escape(id) + "\" width=\"" + std::to_string(kWidth) + "\" height=\"" +
         std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " +
         std::to_string(height) + "\" role=\"img\" aria-label=\"" + html_escape(title) +
         "\">\n<text class=\"title\" x=\"4\" y=\"18\">" + html_escape(title) + "</text>\n";
}

std::string legend(const std::vector<std::pair<std::string, std::string>>& items, double y) {
  std::string out;
  double x = kLeft;
  for (const auto& [label, color] : items) {
    if (x > kWidth - 120) {
      x = kLeft;
      y += 16;
    }
    out += "<rect class=\"legend\" x=\"" + n1(x) + "\" y=\"" + n1(y - 9) +
           "\" width=\"10\" height=\"10\" fill=\"" + html_escape(color) + "\"/>";
    out += "<text class=\"legend\" x=\"" + n1(x + 14) + "\" y=\"" + n1(y) + "\">" +
           html_escape(label) + "</text>\n";
    x += 24 + 7.0 * double(label.size());
  }
  return out;
}

int legend_rows(const std::vector<std::pair<std::string, std::string>>& items) {
  if (items.empty()) return 0;
  int rows = 1;
  double x = kLeft;
  for (const auto& [label, color] : items) {
    if (x > kWidth - 120) {
      x = kLeft;
      ++rows;
    }
    x += 24 + 7.0 * double(label.size());
  }
  return rows;
}

}  // namespace

const std::string& producer_color(size_t i) {
  static const std::string kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                         "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return kPalette[i % std::size(kPalette)];
}

const std::string& kind_color(size_t i) {
  static const std::string kPalette[] = {
      "#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728",
      "#ff9896", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2",
      "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5"};
  return kPalette[i % std::size(kPalette)];
}

std::string render(const BarChart& c) {
  auto format = c.format ? c.format : default_format;
  double maxv = 0;
  size_t nbars = 0;
  for (const Group& g : c.groups)
    for (const Bar& b : g.bars) {
      double t = 0;
      for (const Segment& s : b.segs) t += std::max(0.0, s.value);
      maxv = std::max(maxv, t);
      ++nbars;
    }
  const double top = nice_max(maxv);
  const int lrows = legend_rows(c.legend);
  const int gap = 6, bh = c.bar_height;
  const int body_top = kTop + lrows * 16;
  int body = 0;
  for (const Group& g : c.groups) body += int(g.bars.size()) * (bh + 1) + gap;
  const int height = body_top + std::max(body, 20) + kAxis;
  const double span = kWidth - kLeft - kRight;
  std::string out = header(c.id, c.title, height);
  out += legend(c.legend, kTop);
  // Grid and ticks.
  for (int t = 0; t <= 5; ++t) {
    const double x = kLeft + span * t / 5;
    out += "<line class=\"grid\" x1=\"" + n1(x) + "\" y1=\"" + std::to_string(body_top) +
           "\" x2=\"" + n1(x) + "\" y2=\"" + std::to_string(body_top + body) + "\"/>";
    out += "<text class=\"tick\" x=\"" + n1(x) + "\" y=\"" + std::to_string(body_top + body + 14) +
           "\" text-anchor=\"middle\">" + html_escape(format(top * t / 5)) + "</text>\n";
  }
  out += "<text class=\"unit\" x=\"" + n1(kLeft + span) + "\" y=\"" +
         std::to_string(body_top + body + 24) + "\" text-anchor=\"end\">" + html_escape(c.unit) +
         "</text>\n";
  double y = body_top;
  for (const Group& g : c.groups) {
    const double gh = double(g.bars.size()) * (bh + 1);
    out += "<text class=\"group\" x=\"" + std::to_string(kLeft - 6) + "\" y=\"" +
           n1(y + std::min(gh, double(bh)) - 3) + "\" text-anchor=\"end\">" +
           html_escape(g.label) + "</text>\n";
    for (const Bar& b : g.bars) {
      double total = 0;
      for (const Segment& s : b.segs) total += std::max(0.0, s.value);
      std::string tip = b.group + " " + b.series + ": " + format(total) +
                        (c.unit.empty() ? "" : " " + c.unit);
      if (b.segs.size() > 1)
        for (const Segment& s : b.segs) tip += "\n  " + s.label + ": " + format(s.value);
      if (!b.tooltip.empty()) tip += "\n" + b.tooltip;
      out += "<g class=\"mark\" data-group=\"" + html_escape(b.group) + "\" data-series=\"" +
             html_escape(b.series) + "\" data-value=\"" + html_escape(fmt(total, 6)) +
             "\"><title>" + html_escape(tip) + "</title>";
      double x = kLeft;
      for (const Segment& s : b.segs) {
        const double w = std::max(0.0, s.value) / top * span;
        out += "<rect class=\"seg\" x=\"" + n1(x) + "\" y=\"" + n1(y) + "\" width=\"" +
               n1(std::max(w, 0.5)) + "\" height=\"" + std::to_string(bh) + "\" fill=\"" +
               html_escape(s.color) + "\"" +
               (s.opacity < 1 ? " fill-opacity=\"" + fmt(s.opacity, 2) + "\"" : "") + "/>";
        x += w;
      }
      if (c.value_labels)
        out += "<text class=\"value\" x=\"" + n1(x + 4) + "\" y=\"" + n1(y + bh - 3) + "\">" +
               html_escape(format(total)) + "</text>";
      else if (g.bars.size() > 1)
        out += "<text class=\"series\" x=\"" + n1(x + 3) + "\" y=\"" + n1(y + bh - 1) + "\">" +
               html_escape(b.series) + "</text>";
      out += "</g>\n";
      y += bh + 1;
    }
    y += gap;
  }
  if (nbars == 0)
    out += "<text class=\"empty\" x=\"" + std::to_string(kLeft) + "\" y=\"" +
           std::to_string(body_top + 14) + "\">no data</text>\n";
  return out + "</svg></figure>\n";
}

std::string render(const LineChart& c) {
  auto format = c.format ? c.format : default_format;
  double maxv = 0;
  for (const Series& s : c.series)
    for (const auto& y : s.ys)
      if (y) maxv = std::max(maxv, *y);
  const double top = nice_max(maxv);
  std::vector<std::pair<std::string, std::string>> leg;
  for (const Series& s : c.series) leg.emplace_back(s.name, s.color);
  const int lrows = legend_rows(leg);
  const int plot_top = kTop + lrows * 16, plot_h = 220;
  const int height = plot_top + plot_h + kAxis + 30;
  const double span = kWidth - kLeft - kRight;
  const size_t n = c.xlabels.size();
  auto xat = [&](size_t i) { return n <= 1 ? kLeft + span / 2 : kLeft + span * double(i) / double(n - 1); };
  auto yat = [&](double v) { return plot_top + plot_h - v / top * plot_h; };
  std::string out = header(c.id, c.title, height);
  out += legend(leg, kTop);
  for (int t = 0; t <= 4; ++t) {
    const double v = top * t / 4, y = yat(v);
    out += "<line class=\"grid\" x1=\"" + std::to_string(kLeft) + "\" y1=\"" + n1(y) + "\" x2=\"" +
           n1(kLeft + span) + "\" y2=\"" + n1(y) + "\"/>";
    out += "<text class=\"tick\" x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + n1(y + 4) +
           "\" text-anchor=\"end\">" + html_escape(format(v)) + "</text>\n";
  }
  out += "<text class=\"unit\" x=\"4\" y=\"" + std::to_string(plot_top + 12) + "\">" +
         html_escape(c.unit) + "</text>\n";
  const size_t step = std::max<size_t>(1, n / 10);
  for (size_t i = 0; i < n; i += step)
    out += "<text class=\"tick\" x=\"" + n1(xat(i)) + "\" y=\"" +
           std::to_string(plot_top + plot_h + 16) + "\" text-anchor=\"middle\">" +
           html_escape(c.xlabels[i]) + "</text>\n";
  for (const Series& s : c.series) {
    std::string pts;
    for (size_t i = 0; i < s.ys.size() && i < n; ++i)
      if (s.ys[i]) pts += (pts.empty() ? "" : " ") + n1(xat(i)) + "," + n1(yat(*s.ys[i]));
    if (!pts.empty())
      out += "<polyline class=\"line\" fill=\"none\" stroke=\"" + html_escape(s.color) +
             "\" stroke-width=\"2\" points=\"" + pts + "\"/>\n";
    for (size_t i = 0; i < s.ys.size() && i < n; ++i) {
      if (!s.ys[i]) continue;
      out += "<circle class=\"mark\" data-series=\"" + html_escape(s.name) + "\" data-x=\"" +
             html_escape(c.xlabels[i]) + "\" cx=\"" + n1(xat(i)) + "\" cy=\"" +
             n1(yat(*s.ys[i])) + "\" r=\"3.5\" fill=\"" + html_escape(s.color) + "\"><title>" +
             html_escape(s.name + " @ " + c.xlabels[i] + ": " + format(*s.ys[i]) + " " + c.unit) +
             "</title></circle>\n";
    }
  }
  return out + "</svg></figure>\n";
}

}  // namespace btfcheck::report::svg
