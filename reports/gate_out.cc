// The gate's writers: JUnit XML (one test case per producer x input, plus one per
// producer-level check, speed and rss; failures carry every error of that case), GitHub
// workflow commands (::error file=...,line=...,title=...::message), the markdown summary,
// the reader of external findings, and the best-effort source locator that turns a change
// path into a line of the case's C source.
#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "reports/gate.h"
#include "reports/text.h"

namespace btfcheck::report {
namespace {

bool is_ident(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

std::string finding_line(const Finding& f) {
  std::string s = f.message;
  for (const auto& d : f.details) s += "\n  " + d;
  return s;
}

}  // namespace

std::pair<std::string, int> locate(const std::vector<std::string>& sources, const std::string& path) {
  // "struct foo.(anon union@64).bar" -> kind "struct", name "foo", leaf member "bar".
  const size_t sp = path.find(' ');
  if (sp == std::string::npos) return {"", 0};
  std::string kind = path.substr(0, sp);
  std::string rest = path.substr(sp + 1);
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  for (char c : rest) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == '.' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  const std::string name = parts[0].substr(0, parts[0].find('#'));   // family suffix
  if (!is_ident(name)) return {"", 0};
  std::string member;
  for (size_t i = parts.size(); i-- > 1;) {
    const std::string m = parts[i].substr(0, parts[i].find('['));   // "hist[]", "a[index]"
    if (is_ident(m)) {
      member = m;
      break;
    }
  }
  if (kind == "enum64") kind = "enum";
  static const char* const kLocatable[] = {"struct", "union", "enum", "typedef", "func", "var", "fwd"};
  if (std::find(std::begin(kLocatable), std::end(kLocatable), kind) == std::end(kLocatable)) return {"", 0};
  std::regex def;
  if (kind == "struct" || kind == "union" || kind == "enum")
    def = std::regex("\\b" + kind + "\\s+" + name + "\\b\\s*(\\{|$|__attribute__)");
  else if (kind == "typedef")
    def = std::regex("typedef\\b.*\\b" + name + "\\b");
  else if (kind == "func")
    def = std::regex("\\b" + name + "\\s*\\([^;]*$");
  else
    def = std::regex("\\b" + name + "\\b");
  const std::regex mem = member.empty() ? std::regex() : std::regex("\\b" + member + "\\b");
  for (const std::string& src : sources) {
    const auto lines = read_lines(src);
    for (size_t i = 0; i < lines.size(); ++i) {
      if (!std::regex_search(lines[i], def)) continue;
      if (member.empty()) return {src, int(i + 1)};
      int braces = 0;
      bool opened = false;
      for (size_t k = i; k < lines.size(); ++k) {
        const std::string& l = lines[k];
        if (k > i && opened && std::regex_search(l, mem)) return {src, int(k + 1)};
        for (char c : l) {
          if (c == '{') ++braces, opened = true;
          if (c == '}') --braces;
        }
        if (opened && braces <= 0) break;
        if (!opened && k > i + 2) break;
      }
      return {src, int(i + 1)};
    }
  }
  return {"", 0};
}

Result<std::vector<Finding>> parse_findings(const nlohmann::json& doc, const std::string& file) {
  if (!doc.is_array()) return report_error("gate.findings", file, "not a JSON array of findings");
  std::vector<Finding> out;
  for (size_t i = 0; i < doc.size(); ++i) {
    const auto& j = doc[i];
    auto field = [&](const char* k) {
      return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
    };
    Finding f;
    f.level = field("level");
    f.check = field("check");
    f.input = field("input");
    f.producer = field("producer");
    f.title = field("title");
    f.message = field("message");
    if (f.level != "error" && f.level != "warning" && f.level != "notice")
      return report_error("gate.findings", file, "finding " + std::to_string(i) +
                                                     ": level must be error, warning or notice");
    if (f.check.empty() || f.producer.empty() || f.message.empty())
      return report_error("gate.findings", file, "finding " + std::to_string(i) +
                                                     ": check, producer and message are required");
    if (f.title.empty()) f.title = f.producer + (f.input.empty() ? "" : " on " + f.input) + ": " + f.check;
    if (j.contains("details") && j["details"].is_array())
      for (const auto& d : j["details"])
        if (d.is_string()) f.details.push_back(d.get<std::string>());
    f.weight = f.level == "error" ? 650 : 0;
    out.push_back(std::move(f));
  }
  return out;
}

std::string annotations(const GateResult& g) {
  std::string out;
  for (const Finding& f : g.findings) {
    std::string props;
    if (!f.file.empty()) props += "file=" + gh_prop(f.file);
    if (!f.file.empty() && f.line > 0) props += ",line=" + std::to_string(f.line);
    props += std::string(props.empty() ? "" : ",") + "title=" + gh_prop("btfcheck gate: " + f.title);
    out += "::" + f.level + " " + props + "::" + gh_data(finding_line(f)) + "\n";
  }
  return out;
}

std::string junit_xml(const GateResult& g) {
  size_t failures = 0, skipped = 0;
  std::string body;
  for (const Case& c : g.cases) {
    std::vector<const Finding*> errs;
    std::string out;
    for (const Finding& f : g.findings) {
      if (f.input != c.input || f.producer != c.producer) continue;
      if (c.input.empty() && f.check != c.name) continue;   // producer-level: one case per check
      if (f.level == "error") errs.push_back(&f);
      else out += f.level + ": " + f.title + ": " + finding_line(f) + "\n";
    }
    const std::string name = c.input.empty() ? c.name : c.input;
    body += "    <testcase classname=\"btfcheck.gate." + html_escape(c.producer) + "\" name=\"" +
            html_escape(name) + "\" time=\"" + fmt(c.time_s, 6) + "\">\n";
    if (!errs.empty()) {
      // JUnit allows one failure per case: the first error is its message, all are its text.
      ++failures;
      std::string text;
      for (const Finding* f : errs)
        text += f->title + ": " + finding_line(*f) +
                (f->file.empty() ? "" : " [" + f->file + (f->line ? ":" + std::to_string(f->line) : "") + "]") + "\n";
      body += "      <failure type=\"" + html_escape(errs[0]->check) + "\" message=\"" +
              html_escape(errs[0]->title + ": " + errs[0]->message +
                          (errs.size() > 1 ? " (+" + std::to_string(errs.size() - 1) + " more)" : "")) +
              "\">" + html_escape(text) + "</failure>\n";
    } else if (c.skipped) {
      ++skipped;
      body += "      <skipped message=\"" + html_escape(c.skip_reason) + "\"/>\n";
    }
    if (!out.empty()) body += "      <system-out>" + html_escape(out) + "</system-out>\n";
    body += "    </testcase>\n";
  }
  const std::string counts = " tests=\"" + std::to_string(g.cases.size()) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"0\" skipped=\"" +
                             std::to_string(skipped) + "\"";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"btfcheck gate\"" + counts +
         ">\n  <testsuite name=\"btfcheck gate\"" + counts + ">\n" + body +
         "  </testsuite>\n</testsuites>\n";
}

std::string gate_markdown(const GateResult& g, const Results& now, const std::string& baseline) {
  const size_t errors = g.count("error"), warnings = g.count("warning");
  std::string md = std::string("## btfcheck gate: ") + (g.pass() ? "✅ PASS" : "❌ FAIL") + "\n\n";
  md += std::to_string(g.compared) + " run(s) compared with " + md_code(baseline) + " (" +
        std::to_string(now.runs.size()) + " in the results): **" + std::to_string(errors) +
        " failure(s)**, " + std::to_string(warnings) + " warning(s), " +
        std::to_string(g.accepted.size()) + " suppressed change(s).\n\n";
  constexpr size_t kMax = 30;
  for (const char* level : {"error", "warning"}) {
    size_t n = 0;
    std::string rows;
    for (const Finding& f : g.findings) {
      if (f.level != level) continue;
      if (n++ == kMax) {
        rows += "| … | | | " + std::to_string(g.count(level) - kMax) + " more in the JUnit report |\n";
        break;
      }
      std::string where = f.file.empty() ? "" : md_code(f.file + (f.line ? ":" + std::to_string(f.line) : ""));
      rows += "| " + md_cell(f.input.empty() ? "(all)" : f.input) + " | " + md_cell(f.producer) +
              " | " + md_cell(f.check) + " | " + md_cell(f.message) +
              (where.empty() ? "" : " (" + where + ")") + " |\n";
    }
    if (n == 0) continue;
    md += std::string("### ") + (level == std::string("error") ? "Failures" : "Warnings") +
          "\n\n| input | producer | check | finding |\n|---|---|---|---|\n" + rows + "\n";
  }
  if (!g.accepted.empty()) {
    md += "<details><summary>" + std::to_string(g.accepted.size()) +
          " suppressed change(s)</summary>\n\n";
    for (size_t i = 0; i < g.accepted.size() && i < kMax; ++i) md += "- " + md_cell(g.accepted[i]) + "\n";
    md += "\n</details>\n";
  }
  std::string speed;
  for (const Finding& f : g.findings)
    if (f.check == "speed" || f.check == "rss")
      speed += "| " + md_cell(f.producer) + " | " + md_cell(f.message) + " |\n";
  if (!speed.empty())
    md += "\n### Time and memory vs " + md_cell(now.reference) + "\n\n| producer | |\n|---|---|\n" + speed;
  return md;
}

}  // namespace btfcheck::report
