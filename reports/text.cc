#include "reports/text.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "btf/json.h"

namespace btfcheck::report {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = utf8_len(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t': case '\n': case '\r': out += char(c); break;
      default:
        if (c < 0x20 || c == 0x7f) out += "\xEF\xBF\xBD";
        else out += char(c);
    }
    ++i;
  }
  return out;
}

std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : html_escape(s)) {
    if (c == '|') out += "\\|";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

std::string md_code(std::string_view s) {
  std::string t;
  for (char c : s) t += (c == '`' ? '\'' : (c == '\n' || c == '\r') ? ' ' : c);
  return "`" + t + "`";
}

std::string gh_data(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string gh_prop(std::string_view s) {
  std::string out;
  for (char c : gh_data(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

std::string fmt(double v, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string fmt_bytes(int64_t b) {
  if (b < 10 * 1024) return std::to_string(b) + " B";
  if (b < 10 * 1024 * 1024) return fmt(double(b) / 1024, 1) + " KiB";
  return fmt(double(b) / (1024 * 1024), 1) + " MiB";
}

std::string fmt_seconds(double s) { return fmt(s, s < 10 ? 3 : 1) + " s"; }

std::string fmt_pct(double ratio) {
  if (!std::isfinite(ratio)) return "n/a";
  const double p = (ratio - 1) * 100;
  return (p >= 0 ? "+" : "") + fmt(p, 1) + "%";
}

std::string iso_utc(int64_t t) {
  if (t <= 0) return "";
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (!gmtime_r(&tt, &tm)) return "";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace btfcheck::report
