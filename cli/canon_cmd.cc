// btfcheck canon FILE / btfcheck digest FILE: the canonical text and digests of one BTF.
// canon's first line records the target's pointer size and byte order ("# target: 64le",
// btf/target.h; not where it came from, so an ELF and its extracted .BTF canon alike); the
// digests are of the types alone.
#include <cstdio>

#include "btf/json.h"
#include "btf/target.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "canon/canon.h"
#include "canon/rules.h"
#include "comparator/diff/dups.h"

namespace btfcheck::cli {
namespace {

int fail(const char* cmd, const Error& e) {
  std::fprintf(stderr, "btfcheck %s: %s\n", cmd, e.str().c_str());
  return kExitError;
}

// Parses the common options and builds the graph; returns an exit code on failure.
// `target` (when not null) receives the input's target.
int load_graph(const char* cmd, const Args& args, canon::Graph& g, btf::Target* target = nullptr) {
  if (args.positional().size() != 1) {
    std::fprintf(stderr, "btfcheck %s: expected one FILE (see --help)\n", cmd);
    return kExitError;
  }
  auto rules = canon::parse_rules(args.value_or("--rules", ""));
  if (!rules) return fail(cmd, rules.error());
  std::optional<btf::Target> target_opt;
  if (!target_option(args, cmd, target_opt)) return kExitError;
  auto btf = open_input(args.positional()[0], args.value_or("--base", ""), target_opt);
  if (!btf) return fail(cmd, btf.error());
  g = canon::build(**btf, canon::Options{*rules});
  if (target) *target = (*btf)->target();
  return -1;
}

std::vector<OptionSpec> common_specs() {
  return {base_spec(),
          {"--rules", true, "normalization rules or presets (see `btfcheck diff --help`)", "LIST"},
          output_spec(), target_spec()};
}

}  // namespace

int cmd_canon(const Argv& argv) {
  const auto specs = common_specs();
  Args args(argv, specs);
  if (auto rc = help_or_error(args, "canon", "FILE [--base B] [--rules LIST] [-o OUT]",
                          "Print the canonical, ID-free text form of a BTF: one sorted line per "
                          "named type,\nreferences by canonical name, anonymous types inline, "
                          "after a first line naming the target.",
                              specs))
    return *rc;
  canon::Graph g;
  btf::Target target;
  if (int rc = load_graph("canon", args, g, &target); rc >= 0) return rc;
  return emit_output(args, "canon", "# target: " + btf::target_spec(target) + "\n" + canon::text(g));
}

int cmd_digest(const Argv& argv) {
  auto specs = common_specs();
  specs.push_back({"--per-type", false, "also print one digest per named type"});
  specs.push_back(json_spec());
  Args args(argv, specs);
  if (auto rc = help_or_error(args, "digest", "FILE [--base B] [--rules LIST] [--per-type] [--json] [-o OUT]",
                          "Print a digest of the whole canonical graph (and of each named type).",
                              specs))
    return *rc;
  canon::Graph g;
  if (int rc = load_graph("digest", args, g); rc >= 0) return rc;
  const std::string total = canon::hex64(canon::graph_digest(g));
  const bool json = args.has("--json"), per = args.has("--per-type");
  std::string out = json ? "{\"digest\":\"" + total + "\"" : total + "\n";
  if (per) {
    if (json) out += ",\"types\":{";
    bool first = true;
    for (uint32_t c : canon::sorted_tops(g)) {
      if (!g.named[c]) continue;
      const std::string d = canon::hex64(g.digest[c]);
      if (json) out += (first ? "" : ",") + json_quote(g.key[c]) + ":\"" + d + "\"";
      else out += d + " " + g.key[c] + "\n";
      first = false;
    }
    if (json) out += "}";
  }
  if (json) out += "}\n";
  return emit_output(args, "digest", out);
}

int cmd_dups(const Argv& argv) {
  auto specs = common_specs();
  specs.push_back(json_spec());
  Args args(argv, specs);
  if (auto rc = help_or_error(args, "dups", "FILE [--base B] [--rules LIST] [--json] [-o OUT]",
                          "List what deduplication left: structurally equal types kept as "
                          "several ids, and\n"
                          "different types sharing kind and name, each with "
                          "the first field that keeps it apart.\n"
                          "Exit 0 when there are none, "
                          "1 when there are.",
                              specs))
    return *rc;
  canon::Graph g;
  if (int rc = load_graph("dups", args, g); rc >= 0) return rc;
  const diff::Dups d = diff::find_dups(g);
  const std::string out = args.has("--json") ? diff::render_dups_json(d, args.positional()[0])
                                             : diff::render_dups_text(d);
  if (int rc = emit_output(args, "dups", out); rc != kExitOk) return rc;
  return d.copies.empty() && d.families.empty() ? kExitOk : kExitFindings;
}

}  // namespace btfcheck::cli
