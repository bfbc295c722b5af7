#include "btf/size.h"

namespace btfcheck::btf {

std::optional<uint64_t> resolve_size(const Btf& b, uint32_t id) {
  struct Types {
    const Btf& b;
    bool valid(uint32_t id) const { return id && b.valid_id(id); }
    uint32_t word(uint32_t id, uint32_t w) const { return b.type(id).word(w); }
  };
  return resolve_size(Types{b}, id);
}

}  // namespace btfcheck::btf
