// Comparing two breakdowns and rendering them (text table, JSON).
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "btf/json.h"
#include "comparator/size/size.h"

namespace btfcheck::size {
namespace {

std::vector<Row> rows(const std::map<std::string, uint64_t>& a,
                      const std::map<std::string, uint64_t>* b) {
  std::map<std::string, Row> m;
  for (const auto& [k, v] : a) m[k].a = v;
  if (b)
    for (const auto& [k, v] : *b) m[k].b = v;
  std::vector<Row> out;
  for (auto& [k, r] : m) {
    r.name = k;
    out.push_back(r);
  }
  return out;
}

// 1234567 -> "1,234,567"; signed with an explicit '+' when `sign`.
std::string num(int64_t v, bool sign = false) {
  const uint64_t mag = v < 0 ? uint64_t(-(v + 1)) + 1 : uint64_t(v);
  std::string digits = std::to_string(mag), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  if (v < 0) return "-" + out;
  return sign && v > 0 ? "+" + out : out;
}

std::string pct(int64_t delta, uint64_t base) {
  if (base == 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, " (%+.1f%%)", 100.0 * double(delta) / double(base));
  return buf;
}

void table(std::string& out, const char* title, std::vector<Row> rs, const Comparison& c,
           size_t top) {
  // Largest first: by |delta| when comparing, else by bytes; ties by name.
  std::stable_sort(rs.begin(), rs.end(), [&](const Row& x, const Row& y) {
    const uint64_t kx = c.has_b ? uint64_t(std::llabs(x.delta())) : x.a;
    const uint64_t ky = c.has_b ? uint64_t(std::llabs(y.delta())) : y.a;
    return kx != ky ? kx > ky : x.name < y.name;
  });
  size_t width = 24;
  for (size_t i = 0; i < rs.size() && i < top; ++i) width = std::max(width, rs[i].name.size());
  char line[512];
  auto put = [&](const std::string& name, uint64_t a, uint64_t b, int64_t d) {
    if (c.has_b)
      std::snprintf(line, sizeof line, "  %-*s %13s %13s %13s\n", int(width), name.c_str(),
                    num(int64_t(a)).c_str(), num(int64_t(b)).c_str(), num(d, true).c_str());
    else
      std::snprintf(line, sizeof line, "  %-*s %13s %6.1f%%\n", int(width), name.c_str(),
                    num(int64_t(a)).c_str(), c.total.a ? 100.0 * double(a) / double(c.total.a) : 0.0);
    out += line;
  };
  out += std::string(title) + ":\n";
  if (c.has_b) {
    std::snprintf(line, sizeof line, "  %-*s %13s %13s %13s\n", int(width), "", "A", "B", "delta");
    out += line;
  }
  Row rest{"", 0, 0};
  size_t n_rest = 0;
  for (size_t i = 0; i < rs.size(); ++i) {
    if (i < top) {
      put(rs[i].name, rs[i].a, rs[i].b, rs[i].delta());
      continue;
    }
    rest.a += rs[i].a;
    rest.b += rs[i].b;
    ++n_rest;
  }
  if (n_rest) put("(" + std::to_string(n_rest) + " more)", rest.a, rest.b, rest.delta());
  put("total", c.total.a, c.total.b, c.total.delta());
}

void json_rows(std::string& out, const std::vector<Row>& rs) {
  out += '[';
  for (size_t i = 0; i < rs.size(); ++i) {
    if (i) out += ',';
    out += "{\"name\":";
    json_quote_to(out, rs[i].name);
    out += ",\"a\":" + std::to_string(rs[i].a) + ",\"b\":" + std::to_string(rs[i].b) +
           ",\"delta\":" + std::to_string(rs[i].delta()) + "}";
  }
  out += ']';
}

}  // namespace

Comparison compare(const Breakdown& a, const Breakdown* b) {
  Comparison c;
  c.has_b = b != nullptr;
  c.total = {"total", a.total, b ? b->total : 0};
  c.kinds = rows(a.kinds, b ? &b->kinds : nullptr);
  c.families = rows(a.families, b ? &b->families : nullptr);
  return c;
}

std::string render_text(const Comparison& c, By by, size_t top, const std::string& a_name,
                        const std::string& b_name) {
  std::string out = "A: " + a_name + ": " + num(int64_t(c.total.a)) + " bytes\n";
  if (c.has_b)
    out += "B: " + b_name + ": " + num(int64_t(c.total.b)) + " bytes, delta " +
           num(c.total.delta(), true) + pct(c.total.delta(), c.total.a) + "\n";
  if (by != By::Kind) table(out, "by family", c.families, c, top);
  if (by != By::Family) table(out, "by kind", c.kinds, c, top);
  return out;
}

std::string render_json(const Comparison& c, By by) {
  std::string out = "{\"total\":{\"a\":" + std::to_string(c.total.a) +
                    ",\"b\":" + std::to_string(c.total.b) +
                    ",\"delta\":" + std::to_string(c.total.delta()) + "}";
  if (by != By::Kind) {
    out += ",\"families\":";
    json_rows(out, c.families);
  }
  if (by != By::Family) {
    out += ",\"kinds\":";
    json_rows(out, c.kinds);
  }
  return out + "}\n";
}

}  // namespace btfcheck::size
