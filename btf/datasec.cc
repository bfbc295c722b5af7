#include "btf/datasec.h"

#include "btf/size.h"

namespace btfcheck::btf {

std::string_view rule_id(DatasecRule r) {
  switch (r) {
    case DatasecRule::Size: return "datasec.size";
    case DatasecRule::Overlap: return "datasec.overlap";
    case DatasecRule::Offset: return "datasec.offset";
    case DatasecRule::EntrySize: return "datasec.entry-size";
    case DatasecRule::End: return "datasec.end";
    case DatasecRule::Sum: return "datasec.sum";
  }
  return "datasec";
}

bool datasec_valid(const Btf& b, const Type& t) {
  if (t.kflag()) return false;
  bool ok = true;
  check_datasec_layout(t, [&](const DatasecIssue&) { ok = false; });
  for (uint32_t i = 0; ok && i < t.vlen(); ++i) {
    const Type::SecInfo v = t.secinfo(i);
    if (!v.type || !b.valid_id(v.type) || b.type(v.type).kind() != uint32_t(Kind::Var))
      return false;
    const auto var_size = resolve_size(b, b.type(v.type).type());
    ok = !var_size || v.size >= *var_size;
  }
  return ok;
}

}  // namespace btfcheck::btf
