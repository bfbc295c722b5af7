#include "cli/produce_util.h"

#include "btf/load.h"
#include "cli/input.h"
#include "encoder/archive/archive.h"

namespace btfcheck::cli {

namespace {

// Producers only see generated names (input.elf, unit0.o, ...): an error about what one
// made says whose output it was and which input the user gave.
Error about_output(Error e, const producers::Producer& p, const producers::Input& in) {
  e.message += " (the output of " + p.name + " for " + (in.elf.empty() ? in.name : in.elf) + ")";
  return e;
}

}  // namespace

Result<Made> make_btf(const producers::Producer& p, const producers::Input& in,
                      const producers::Config& cfg, const std::string& dir, int jobs) {
  auto out = producers::produce(p, in, cfg, dir, jobs);
  if (!out.ok()) return out.error();
  Made m;
  m.skipped = out->skipped;
  if (!m.skipped.empty()) return m;
  m.wall_s = out->wall_s;
  m.peak_rss_kb = out->peak_rss_kb;
  auto base = open_base(in.elf, in.base);   // the input's base is the output's
  if (!base.ok()) return base.error();
  auto blob = btf::load_blob(out->btf_path);
  if (!blob.ok()) return about_output(blob.error(), p, in);
  m.bytes = std::move(blob->bytes);
  auto parsed = archive::open_merged(out->btf_path, *base);
  if (!parsed.ok()) return about_output(parsed.error(), p, in);
  m.btf = *parsed;
  return m;
}

diff::Report canonical_diff(const btf::Btf& a, const btf::Btf& b,
                            const std::vector<std::string>& rules, const std::string& only_type) {
  canon::Options co;
  co.rules = rules;
  diff::Report r = diff::diff(canon::build(a, co), canon::build(b, co), {.leaf = true});
  if (only_type.empty()) return r;
  // The named type a path starts at, without its kind word and family tag.
  auto type_name = [](const std::string& path) {
    std::string top = path.substr(0, path.find_first_of(".[("));
    if (const size_t sp = top.rfind(' '); sp != std::string::npos) top = top.substr(sp + 1);
    return top.substr(0, top.find('#'));
  };
  diff::Report kept;
  for (const diff::Change& c : r.changes)
    if (type_name(c.path) == only_type) {
      kept.changes.push_back(c);
      if (!c.suppressed) ++kept.summary[c.category];
    }
  return kept;
}

}  // namespace btfcheck::cli
