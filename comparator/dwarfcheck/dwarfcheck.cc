// check(): the DWARF cross-check in a straight line. Index the BTF (BtfModel), read the
// DWARF once for the type definitions and for the subprograms of the names the BTF's
// FUNCs carry, matched to their symbols with the target's entry offsets (read_dwarf),
// compare each distinct DWARF definition and each FUNC (compare.cc), sort the findings by
// an explicit key.
#include "comparator/dwarfcheck/dwarfcheck.h"

#include "btf/kinds.h"
#include "comparator/dwarfcheck/btf_model.h"
#include "comparator/dwarfcheck/compare.h"
#include "comparator/dwarfcheck/dwarf_read.h"

namespace btfcheck::dwarfcheck {

Result<Report> check(const std::string& elf_path, const btf::Btf& btf, const Options& opts) {
  detail::BtfModel model(btf, opts.flat_arrays);
  detail::ReadRequest req;
  req.types = opts.types;
  req.flat_arrays = opts.flat_arrays;
  std::vector<uint32_t> funcs;
  if (opts.funcs) {
    funcs = model.own_funcs();
    for (uint32_t id : funcs) req.func_names.emplace(btf.type(id).name());
  }
  auto dwarf = detail::read_dwarf(elf_path, req);
  if (!dwarf) return dwarf.error();

  Report r;
  r.units = dwarf->units;
  r.dwarf_types = dwarf->defs.size();
  r.funcs = funcs.size();
  for (const detail::DwarfDef& d : dwarf->defs)
    for (Finding& f : detail::check_def(d, model)) r.findings.push_back(std::move(f));
  r.entry = dwarf->entry;
  for (uint32_t id : funcs) {
    detail::FuncMatch match = detail::FuncMatch::None;
    for (Finding& f : detail::check_func(id, model, *dwarf, &match))
      r.findings.push_back(std::move(f));
    r.funcs_at_entry += match == detail::FuncMatch::AtEntry;
    r.funcs_by_definition += match == detail::FuncMatch::ByDefinition;
  }
  sort_findings(r.findings);
  return r;
}

}  // namespace btfcheck::dwarfcheck
