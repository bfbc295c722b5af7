// btfcheck bisect --producers A,B,C,... --case CASE [--type NAME] [--format F | --json] [-o OUT]
//
// Over an ordered producer list (e.g. clang-14,clang-15,clang-16,clang-19), finds the first
// producer whose canonical BTF for the case (or one named type) differs from the first
// producer's, by binary search (it assumes one transition, as git bisect does, and says
// so), and prints that diff; as JSON, one object with the verdict and the diff. Exit 0 no
// difference, 1 found one, 2 could not run.
#include <cstdio>
#include <map>

#include "btf/json.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/produce_util.h"
#include "cli/producer_opts.h"
#include "canon/rules.h"

namespace btfcheck::cli {
namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "btfcheck bisect: %s\n", msg.c_str());
  return kExitError;
}

}  // namespace

int cmd_bisect(const Argv& argv) {
  std::vector<OptionSpec> sp = {
      {"--producers", true, "ordered producers, comma-separated (e.g. clang-14,clang-15,clang-16,clang-19)", "LIST"},
      {"--case", true, "corpus case name or a path to your own C file", "CASE"},
      {"--type", true, "compare only the named type(s) called NAME", "NAME"},
      {"--rules", true, "normalization rules (default strict)", "LIST"},
      {"--format", true, "text (default), json (one object: verdict and diff) or markdown", "FMT"},
      json_spec("same as --format json"),
      output_spec("write the result to OUT (atomically) instead of stdout"),
      {"--workdir", true, "keep outputs here (default: a new directory under /tmp)", "DIR"},
      {"--quiet", false, "no progress lines on stderr"},
  };
  for (const OptionSpec& p : producer_specs()) sp.push_back(p);
  Args args(argv, sp);
  if (auto rc = help_or_error(
          args, "bisect", "--producers A,B,C,... --case CASE [--type NAME] [--format FMT | --json] [-o OUT]",
          "Find the first producer in an ordered list whose canonical BTF for CASE (or for one\n"
          "type) differs from the first producer's, and print that diff. Binary search: it\n"
          "assumes a single transition, like git bisect. Producers not installed are skipped.\n"
          "Exit 0 no difference, 1 found one, 2 could not run. For a producer built from\n"
          "source, use `git bisect run` with `btfcheck diff --bisect-exit GOOD.btf NEW.btf`.",
          sp))
    return *rc;
  const producers::Config cfg = producer_config(args);
  const auto all = producers::detect(cfg);
  std::vector<producers::Producer> list;
  for (const std::string& n : split_list(args.value_or("--producers", ""))) {
    auto p = producers::lookup(all, n);
    if (!p.ok()) return fail(p.error().str());
    if (!p->missing.empty()) {
      std::fprintf(stderr, "btfcheck bisect: skipping %s: %s\n", n.c_str(), p->missing.c_str());
      continue;
    }
    list.push_back(*p);
  }
  if (list.size() < 2) return fail("need at least two available producers in --producers");
  if (!args.value("--case")) return fail("--case is required");
  auto in = producers::resolve_input(*args.value("--case"), corpora_dir(args));
  if (!in.ok()) return fail(in.error().str());
  auto rules = canon::parse_rules(args.value_or("--rules", ""));
  if (!rules.ok()) return fail(rules.error().str());
  const std::string only = args.value_or("--type", "");
  const auto fmt = format_option(args, "bisect", {"text", "json", "markdown"}, "text");
  if (!fmt) return kExitError;
  const std::string format = *fmt;
  std::string work = args.value_or("--workdir", "");
  if (work.empty() && (work = make_workdir("bisect")).empty()) return fail("cannot create a work directory");

  std::map<size_t, Made> made;
  auto get = [&](size_t i) -> Result<const Made*> {
    if (!made.count(i)) {
      auto m = make_btf(list[i], *in, cfg, work + "/" + list[i].name, 0);
      if (!m.ok()) return m.error();
      if (!m->skipped.empty()) {
        Error e;
        e.rule = "producer.not-applicable";
        e.message = list[i].name + ": " + m->skipped;
        return e;
      }
      made[i] = std::move(*m);
    }
    return &made[i];
  };
  auto differs = [&](size_t i) -> Result<bool> {
    auto a = get(0), b = get(i);
    if (!a.ok()) return a.error();
    if (!b.ok()) return b.error();
    const bool d = canonical_diff(*(*a)->btf, *(*b)->btf, *rules, only).unsuppressed() > 0;
    if (!args.has("--quiet"))
      std::fprintf(stderr, "btfcheck bisect: %s %s %s\n", list[i].name.c_str(),
                   d ? "differs from" : "equals", list[0].name.c_str());
    return d;
  };
  size_t lo = 0, hi = list.size() - 1;
  auto last = differs(hi);
  if (!last.ok()) return fail(last.error().str());
  const std::string what = in->name + (only.empty() ? "" : " (type " + only + ")");
  // As JSON: {"case", "type", "reference", "first_change", "last_equal", "diff"}, the last
  // three null when nothing changed.
  auto json_of = [&](const diff::Report* r, size_t lo_i, size_t hi_i) {
    auto prod = [&](size_t i) {
      return "{\"name\":" + json_quote(list[i].name) + ",\"version\":" + json_quote(list[i].version) + "}";
    };
    return "{\"case\":" + json_quote(in->name) + ",\"type\":" + (only.empty() ? "null" : json_quote(only)) +
           ",\"reference\":" + prod(0) + ",\"first_change\":" + (r ? prod(hi_i) : "null") +
           ",\"last_equal\":" + (r ? prod(lo_i) : "null") + ",\"diff\":" +
           (r ? diff::render_json(*r, list[0].name + ":" + in->name, list[hi_i].name + ":" + in->name)
              : "null") + "}\n";
  };
  if (!*last) {
    if (format == "json") return emit_output(args, "bisect", json_of(nullptr, 0, 0));
    return emit_output(args, "bisect", "no change: " + list[hi].name + " gives the same canonical BTF for " +
                                           what + " as " + list[0].name + "\n");
  }
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    auto d = differs(mid);
    if (!d.ok()) return fail(d.error().str());
    (*d ? hi : lo) = mid;
  }
  const diff::Report r = canonical_diff(*made[0].btf, *made[hi].btf, *rules, only);
  std::string out;
  if (format == "json") {
    out = json_of(&r, lo, hi);
  } else {
    out = "first change: " + list[hi].name + " (" + list[hi].version + ") differs from " + list[0].name +
          " (" + list[0].version + ") for " + what + "; last equal: " + list[lo].name + "\n";
    const std::string a = list[0].name + ":" + in->name, b = list[hi].name + ":" + in->name;
    out += format == "markdown" ? diff::render_markdown(r, a, b) : diff::render_text(r);
  }
  if (int rc = emit_output(args, "bisect", out); rc != kExitOk) return rc;
  return kExitFindings;
}

}  // namespace btfcheck::cli
