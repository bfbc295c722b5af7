// btfcheck report results.json... [feature-cost.json...] -o DIR [--history FILE] [--title T]
//
// Thin: read the results, optionally append this run to the history (commit from
// $GITHUB_SHA or `git rev-parse HEAD`), render the page, the summary and the JSON, write each
// atomically. The rendering is in reports/.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "reports/report.h"

namespace btfcheck::cli {
namespace {

const std::vector<OptionSpec>& specs() {
  static const std::vector<OptionSpec> s = {
      {"-o", true, "output directory: index.html, summary.md, report.json (created)", "DIR", "--output"},
      {"--history", true, "JSON Lines history: this run is appended, the page shows trends", "FILE"},
      {"--title", true, "page and summary title (default \"btfcheck matrix report\")", "T"},
  };
  return s;
}

int fail(const std::string& msg) {
  std::fprintf(stderr, "btfcheck report: %s\n", msg.c_str());
  return kExitError;
}

std::string commit_id() {
  if (const char* sha = std::getenv("GITHUB_SHA"); sha && *sha) return sha;
  std::string out;
  if (FILE* p = popen("git rev-parse HEAD 2>/dev/null", "r")) {
    char buf[128];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.empty() ? "unknown" : out;
}

std::string dump(const nlohmann::json& j) {
  return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

int cmd_report(const Argv& argv) {
  Args args(argv, specs());
  if (auto rc = help_or_error(
          args, "report", "results.json... [feature-cost.json...] -o DIR [--history FILE] [--title T]",
          "Render matrix results (schema btfcheck-matrix/1; several files, e.g. shards, are\n"
          "joined) as DIR/index.html (one self-contained page: inline SVG charts of BTF size,\n"
          "produce time and peak RSS per producer and per case, types per kind, bytes by size\n"
          "family and kind, verify results, canonical differences from the reference, skipped\n"
          "and failed runs, trends; feature-cost experiments from `size --features --json`\n"
          "files given among the results),\n"
          "DIR/summary.md (short, for a GitHub step summary) and DIR/report.json (aggregates).\n"
          "Output depends only on the inputs. Exit 0 written, 2 could not.",
          specs()))
    return *rc;
  const auto out_dir = args.value("-o");
  if (!out_dir) return fail("-o DIR is required");
  if (args.positional().empty()) return fail("no results file given");
  // Matrix results and feature-cost experiments (btfcheck size --features --json), by schema.
  std::vector<std::pair<std::string, nlohmann::json>> docs;
  report::Options o;
  for (const std::string& f : args.positional()) {
    auto j = report::read_json_file(f);
    if (!j.ok()) return fail(j.error().str());
    if (j->is_object() && j->value("schema", "") == report::kFeatureCostSchema) {
      auto c = report::parse_feature_cost(*j, f);
      if (!c.ok()) return fail(c.error().str());
      o.feature_costs.push_back(std::move(*c));
    } else {
      docs.emplace_back(f, std::move(*j));
    }
  }
  auto res = report::load_results(docs);
  if (!res.ok()) return fail(res.error().str());
  o.title = args.value_or("--title", o.title);
  if (auto h = args.value("--history"); h && !res->runs.empty()) {
    std::string old;
    if (std::filesystem::exists(*h)) {
      std::ifstream in(*h, std::ios::binary);
      if (!in) return fail(*h + ": cannot read the history");
      std::stringstream ss;
      ss << in.rdbuf();
      old = ss.str();
    }
    const std::string text = report::append_history(old, report::history_entry(*res, commit_id()));
    size_t skipped = 0;
    o.history = report::parse_history(text, &skipped);
    if (skipped)
      std::fprintf(stderr, "btfcheck report: %s: %zu malformed line(s) ignored\n", h->c_str(), skipped);
    if (std::string e = write_output(*h, text); !e.empty()) return fail(e);
  }
  std::error_code ec;
  std::filesystem::create_directories(*out_dir, ec);
  if (ec) return fail(*out_dir + ": " + ec.message());
  const std::string dir = *out_dir + "/";
  for (const auto& [name, content] :
       {std::pair<std::string, std::string>{"index.html", report::render_html(*res, o)},
        {"summary.md", report::render_markdown(*res, o)},
        {"report.json", dump(report::render_json(*res, o))}})
    if (std::string e = write_output(dir + name, content); !e.empty()) return fail(e);
  std::fprintf(stderr, "btfcheck report: %zu run(s) of %zu producer(s) on %zu input(s), %zu feature-cost "
               "experiment(s) -> %sindex.html\n", res->runs.size(), res->producers.size(),
               res->inputs.size(), o.feature_costs.size(), dir.c_str());
  return kExitOk;
}

}  // namespace btfcheck::cli
