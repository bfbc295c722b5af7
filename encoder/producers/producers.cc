// Producer recipes (see producers.h). Each recipe is a list of commands; the ones that make
// the BTF are timed as "produce", the rest (host compiles, per-object pahole, links) as
// "prepare", so a producer's figures are those of its BTF step.
#include "encoder/producers/producers.h"
#include "encoder/producers/stage.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <regex>

namespace btfcheck::producers {
namespace {

Error fail(const std::string& rule, const std::string& msg, const std::string& file = "") {
  return file_error(file, rule, msg);
}

std::string version_of(const std::string& tool, const char* flag = "--version") {
  return tool.empty() ? "" : first_output_line({tool, flag});
}

Producer make(std::string name, std::string family, const std::string& tool_name,
              bool takes_jobs = false) {
  Producer p;
  p.name = std::move(name);
  p.family = std::move(family);
  p.takes_jobs = takes_jobs;
  p.tool = which(tool_name);
  if (p.tool.empty()) p.missing = tool_name + " not found on PATH";
  else p.version = version_of(p.tool);
  return p;
}

// "clang-14" .. on PATH, ascending by N.
std::vector<int> clang_versions() {
  std::vector<int> out;
  const char* path = std::getenv("PATH");
  std::string all = path ? path : "/usr/bin";
  static const std::regex re("clang-([0-9]+)");
  size_t start = 0;
  while (start <= all.size()) {
    const size_t end = std::min(all.find(':', start), all.size());
    const std::string dir = all.substr(start, end - start);
    start = end + 1;
    if (DIR* d = dir.empty() ? nullptr : opendir(dir.c_str())) {
      while (dirent* e = readdir(d)) {
        std::cmatch m;
        if (std::regex_match(e->d_name, m, re) && !which(dir + "/" + e->d_name).empty())
          out.push_back(std::stoi(m[1]));
      }
      closedir(d);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool is_elf(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char m[4] = {};
  return f.read(m, 4) && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F';
}

// The file's name without its directory and without a ".c" suffix.
std::string stem(const std::string& path) {
  std::string s = path.substr(path.find_last_of('/') + 1);
  return s.ends_with(".c") && s.size() > 2 ? s.substr(0, s.size() - 2) : s;
}

// The commands of one recipe. They run in the work directory, and every file they name is a
// plain name there (stage.h): the input's files staged under plain_names(), the rest made by
// earlier steps.
struct Plan {
  std::vector<std::pair<std::string, std::vector<std::string>>> steps;   // (role, argv)
  std::string btf;   // the result's name in the work directory
};

// Compile every source with `cc` (argv prefix; its own directory on the quote-include path, as
// in place), link several with `ld -r`; returns the object. Steps are appended with `role`;
// `per_unit` (argv prefix) runs on each unit's object, which is then linked even when alone.
std::string build_object(Plan& plan, const PlainNames& names, const std::vector<std::string>& cc,
                         const std::string& ld, const std::string& role,
                         const std::vector<std::string>& per_unit = {}) {
  std::vector<std::string> link{ld, "-r"};
  for (size_t i = 0; i < names.sources.size(); ++i) {
    const std::string unit = "unit" + std::to_string(i) + ".o";
    std::vector<std::string> argv = cc;
    argv.insert(argv.end(), {"-iquote", names.include_dirs[i], names.sources[i], "-o", unit});
    plan.steps.push_back({role, argv});
    if (!per_unit.empty()) {
      std::vector<std::string> post = per_unit;
      post.push_back(unit);
      plan.steps.push_back({"prepare", post});
    }
    link.push_back(unit);
  }
  if (names.sources.size() == 1 && per_unit.empty()) return link.back();
  link.insert(link.end(), {"-o", "linked.o"});
  plan.steps.push_back({"prepare", link});
  return "linked.o";
}

Result<Plan> plan_for(const Producer& p, const Input& in, const PlainNames& names,
                      const Config& cfg, int jobs) {
  Plan plan;
  const bool elf = !in.elf.empty();
  const std::string out = "out.btf";
  const std::string j = jobs > 0 ? std::to_string(jobs) : "";
  const std::vector<std::string> host_cc{cfg.gcc, "-g", "-O2", "-c"};
  if (p.family == "clang" || p.family == "gcc" || p.family == "bpf-gcc") {
    if (elf) return fail("producer.not-applicable", p.name + " compiles C cases, not ELF inputs");
    std::vector<std::string> cc{p.tool};
    if (p.family == "clang") cc.insert(cc.end(), {"-target", "bpf", "-g", "-O2", "-c"});
    else cc.insert(cc.end(), {"-gbtf", "-O2", "-c"});
    const std::string ld = p.family == "gcc" ? "ld" : "bpf-ld";
    plan.btf = build_object(plan, names, cc, ld, "produce");
    return plan;
  }
  if (p.family == "embedded") {
    if (!elf) return fail("producer.not-applicable", "embedded reads the .BTF of an ELF input");
    plan.btf = names.elf;
    return plan;
  }
  std::string obj = names.elf;
  if (p.family == "pahole") {
    if (!elf) obj = build_object(plan, names, host_cc, "ld", "prepare");
    std::vector<std::string> argv{p.tool};
    argv.insert(argv.end(), cfg.pahole_flags.begin(), cfg.pahole_flags.end());
    if (!j.empty()) argv.push_back("-j" + j);
    if (!names.base.empty()) argv.push_back("--btf_base=" + names.base);
    argv.insert(argv.end(), {"--btf_encode_detached=" + out, obj});
    plan.steps.push_back({"produce", argv});
  } else if (p.family == "btfcheck") {
    if (!elf) obj = build_object(plan, names, host_cc, "ld", "prepare");
    std::vector<std::string> argv{p.tool, "encode", "dwarf", obj, "-o", out};
    argv.insert(argv.end(), cfg.btfcheck_flags.begin(), cfg.btfcheck_flags.end());
    if (!j.empty()) argv.insert(argv.end(), {"-j", j});
    if (!names.base.empty()) argv.insert(argv.end(), {"--base", names.base});
    plan.steps.push_back({"produce", argv});
  } else if (p.family == "archive") {
    if (!elf) obj = build_object(plan, names, host_cc, "ld", "prepare",
                                 {which(cfg.pahole).empty() ? cfg.pahole : which(cfg.pahole), "-J"});
    std::vector<std::string> argv{p.tool, "encode", "archive", obj, "-o", out};
    if (p.name == "archive-btfcheck")   // the canonical merge, with the faithful rules
      argv.insert(argv.end(), {"--dedup=canonical", "--rules=param-names,type-tag-order,fwd-kind"});
    if (!names.base.empty()) argv.insert(argv.end(), {"--base", names.base});
    plan.steps.push_back({"produce", argv});
  } else {
    return fail("usage.producer", "unknown producer family " + p.family);
  }
  plan.btf = out;
  return plan;
}

bool applies(const Producer& p, const Input& in, std::string& why) {
  if (auto it = in.not_applicable.find(p.family); it != in.not_applicable.end()) {
    why = it->second;
    return false;
  }
  if (!in.producers.empty() && in.elf.empty() &&
      std::find(in.producers.begin(), in.producers.end(), p.family) == in.producers.end() &&
      p.family != "btfcheck" && p.family != "archive" && p.family != "pahole") {
    why = "the manifest does not list " + p.family + " for " + in.name;
    return false;
  }
  return true;
}

}  // namespace

std::vector<Producer> detect(const Config& cfg) {
  std::vector<Producer> out;
  for (int v : clang_versions()) out.push_back(make("clang-" + std::to_string(v), "clang", "clang-" + std::to_string(v)));
  Producer plain = make("clang", "clang", "clang");
  bool dup = false;
  for (const Producer& p : out) dup |= !plain.tool.empty() && p.version == plain.version;
  if (!dup) out.push_back(plain);
  out.push_back(make("gcc", "gcc", cfg.gcc));
  out.push_back(make("bpf-gcc", "bpf-gcc", cfg.bpf_gcc));
  out.push_back(make("pahole", "pahole", cfg.pahole, true));
  Producer self = make("btfcheck", "btfcheck", cfg.self, true);   // version: `btfcheck --version`
  out.push_back(self);
  // Two merges of the same per-object archive: libbpf's (btf__add_btf + btf__dedup) and
  // btfcheck's canonical one.
  for (const char* name : {"archive-libbpf", "archive-btfcheck"}) {
    Producer archive = self;
    archive.name = name;
    archive.family = "archive";
    archive.takes_jobs = false;
    if (archive.missing.empty() && which(cfg.pahole).empty())
      archive.missing = cfg.pahole + " not found on PATH (archive runs pahole -J per object)";
    out.push_back(archive);
  }
  Producer embedded = self;
  embedded.name = embedded.family = "embedded";
  embedded.takes_jobs = false;
  out.push_back(embedded);
  return out;
}

Result<Producer> lookup(const std::vector<Producer>& all, const std::string& name) {
  std::string known;
  for (const Producer& p : all) {
    if (p.name == name) return p;
    known += (known.empty() ? "" : ", ") + p.name;
  }
  return fail("usage.producer", "unknown producer '" + name + "' (known here: " + known + ")");
}

Result<Output> produce(const Producer& p, const Input& in, const Config& cfg,
                       const std::string& workdir, int jobs) {
  Output o;
  if (!p.missing.empty()) {
    o.skipped = p.missing;
    return o;
  }
  if (!applies(p, in, o.skipped)) return o;
  const PlainNames names = plain_names(in);
  auto plan = plan_for(p, in, names, cfg, jobs);
  if (!plan.ok()) {
    if (plan.error().rule != "producer.not-applicable") return plan.error();
    o.skipped = plan.error().message;
    return o;
  }
  const std::string input_file = in.elf.empty() ? in.sources[0] : in.elf;
  for (const auto& [role, argv] : plan->steps)
    for (size_t k = 1; k < argv.size(); ++k)
      if (!plain_argument(argv[k]))
        return fail("producer.unsafe-argument",
                    p.name + " on " + in.name + ": refusing to pass '" + argv[k] + "' to " +
                        argv[0] + " (a shell could interpret it; see --pahole-flags)",
                    input_file);
  std::error_code ec;
  std::filesystem::create_directories(workdir, ec);
  if (ec) return fail("io.mkdir", "cannot create " + workdir + ": " + ec.message(), workdir);
  if (auto e = stage(in, names, workdir)) return *e;
  for (auto& [role, argv] : plan->steps) {
    Step s{role, run_process(argv, "", workdir)};
    const bool ok = s.proc.exit == 0;
    if (role == "produce") {
      o.wall_s += s.proc.wall_s;
      o.cpu_s += s.proc.cpu_s;
      o.peak_rss_kb = std::max(o.peak_rss_kb, s.proc.peak_rss_kb);
    }
    o.steps.push_back(std::move(s));
    if (!ok) {
      const ProcResult& r = o.steps.back().proc;
      return fail("producer.failed", p.name + " on " + in.name + ": `" + r.command +
                                         "` (in " + workdir + ") exited " +
                                         std::to_string(r.exit) + ": " + r.stderr_tail,
                  input_file);
    }
  }
  o.btf_path = workdir + "/" + plan->btf;
  return o;
}

Result<Input> resolve_input(const std::string& spec, const std::string& corpora_dir,
                            const std::string& base) {
  struct stat st {};
  const bool exists = stat(spec.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  if (spec.size() > 2 && spec.ends_with(".c")) {
    if (!exists) return fail("io.open", "cannot read C case " + spec, spec);
    Input in;
    in.name = stem(spec);
    in.sources = {spec};
    return in;
  }
  if (exists) {
    if (!is_elf(spec))
      return fail("usage.input", spec + " is neither a C file (.c) nor an ELF file", spec);
    Input in;
    in.name = stem(spec);
    in.elf = spec;
    in.base = base;
    return in;
  }
  auto cases = corpus(corpora_dir);
  if (!cases.ok()) return cases.error();
  for (const Input& c : *cases)
    if (c.name == spec) return c;
  return fail("usage.input", "'" + spec + "' is not a file nor a case of " + corpora_dir +
                                 "/manifest.json", spec);
}

}  // namespace btfcheck::producers
