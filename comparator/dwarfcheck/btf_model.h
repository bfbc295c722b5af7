// BtfModel: the BTF side of the DWARF cross-check (see btf_model.cc).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "btf/btf.h"
#include "comparator/dwarfcheck/model.h"

namespace btfcheck::dwarfcheck::detail {

class BtfModel {
 public:
  BtfModel(const btf::Btf& btf, bool flat_arrays);

  // BTF types (base and split) whose def_key() is `key`, in id order; FWDs are not listed.
  const std::vector<uint32_t>& candidates(const std::string& key) const;
  // A FWD of that (struct|union) name exists.
  bool has_fwd(DefKind kind, const std::string& name) const;

  // The definition of a STRUCT/UNION/ENUM/ENUM64/TYPEDEF (cached).
  const Def& def(uint32_t id);
  std::string shape(uint32_t id, int depth = 0);

  // FUNCs owned by this BTF (not its base), in id order.
  std::vector<uint32_t> own_funcs() const;
  // Signature of a FUNC's FUNC_PROTO; nullopt (with `why`) when it has none.
  std::optional<FuncSig> signature(uint32_t func_id, std::string& why);

  const btf::Btf& btf() const { return btf_; }

 private:
  std::optional<btf::Type> get(uint32_t id) const;
  void add_body(uint32_t id, const std::string& path, Def& def, int depth);
  std::optional<uint32_t> anonymous_body(uint32_t id) const;
  std::string compute_shape(uint32_t id, int depth);

  const btf::Btf& btf_;
  bool flat_arrays_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_key_;   // lookups only
  std::unordered_map<std::string, bool> fwds_;                      // lookups only
  std::map<uint32_t, Def> defs_;
  std::vector<std::string> shapes_;        // index = id; "" = not computed yet
  std::vector<char> busy_;                 // index = id; being computed (cycle guard)
};

}  // namespace btfcheck::dwarfcheck::detail
