// Escaping and number formatting shared by the report and gate writers. Every string that
// comes from an input file goes through one of the escapers before it reaches HTML, SVG,
// XML, markdown or a GitHub workflow command. Numbers are printed with printf in the C
// locale, so output bytes never depend on the environment.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace btfcheck::report {

// HTML/XML text and attribute values: & < > " ' escaped; control characters other than
// \t \n \r and invalid UTF-8 bytes become U+FFFD (XML 1.0 forbids them).
std::string html_escape(std::string_view s);

// A markdown table cell: | and backslash escaped, newlines as spaces, HTML escaped.
std::string md_cell(std::string_view s);
// Inline code in markdown (backticks inside are replaced by ').
std::string md_code(std::string_view s);

// GitHub workflow command escaping: the message part (% \r \n) and property values (also : ,).
std::string gh_data(std::string_view s);
std::string gh_prop(std::string_view s);

std::string fmt(double v, int decimals);        // "%.*f"
std::string fmt_bytes(int64_t b);               // "1234 B", "12.3 KiB", "4.1 MiB"
std::string fmt_seconds(double s);              // "0.012 s", "12.3 s"
std::string fmt_pct(double ratio);              // (ratio-1) as "+12.5%" / "-3.0%"
std::string iso_utc(int64_t unix_time);         // "2026-11-22T03:07:00Z"; "" when 0

}  // namespace btfcheck::report
