// Type-tag order (btf_check_type_tags): run on every BTF the kernel loads, vmlinux and
// modules included, after the per-record pass.
//
// Design. For every modifier (TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG) in id order, the
// kernel walks the modifier chain it starts: once a non-tag modifier was seen, a TYPE_TAG is
// "Type tags don't precede modifiers"; a walk of more than 32 modifiers is "Max chain length
// or cycle detected". A walk stops early at an id <= good_id, the last modifier already
// checked, so chains that point at lower ids cost O(1) each. This file does the same walk,
// with two changes for reporting everything instead of stopping:
//   - good_id advances after every modifier, failed ones too (their problem is reported, a
//     later chain running into them is not reported again);
//   - when a walk exceeds the limit, the rest of its chain is followed to its end (or back
//     to itself) and every type on it is marked; later walks stop at marked types. A
//     100k-long chain pointing at ever higher ids thus gives one violation, at its head, in
//     linear time, instead of one per type.
// A reference to a missing id ends a walk; it is reported here only when the resolve pass is
// off (the kernel fails silently with -EINVAL; pass 2 reports it otherwise).
#include <vector>

#include "comparator/verify/internal.h"

namespace btfcheck::verify::detail {

void check_type_tags(const btf::Btf& btf, const Options& opts, Sink& sink) {
  constexpr int kChainLimit = 32;
  const uint32_t start = btf.start_id(), count = btf.type_count();
  std::vector<uint32_t> marked(count, 0);  // id of the failed walk that covered the type
  std::vector<uint32_t> walk;
  uint32_t good_id = start - 1;
  for (uint32_t i = start; i < count; ++i) {
    btf::Type t = btf.type(i);
    if (!is_modifier_or_typedef(t.kind())) continue;
    if (marked[i]) {
      good_id = i;
      continue;
    }
    bool in_tags = t.kind() == K(Kind::TypeTag), order_reported = false, too_long = false;
    int limit = kChainLimit;
    uint32_t cur = i;
    walk.clear();
    while (is_modifier_or_typedef(t.kind())) {
      if (!limit--) {
        too_long = true;
        break;
      }
      walk.push_back(cur);
      if (t.kind() == K(Kind::TypeTag)) {
        if (!in_tags && !order_reported && opts.type_tag_order) {
          const btf::Type head = btf.type(i);
          sink.type("type_tag.order", head, word_off(head, 2),
                    "Type tags don't precede modifiers: " + describe(btf, cur) +
                        " follows a non-tag modifier in the chain from [" + std::to_string(i) + "]");
          order_reported = true;
        }
      } else {
        in_tags = false;
      }
      if (cur <= good_id || (cur != i && marked[cur])) break;
      const uint32_t next = t.type();
      if (next == 0) break;
      if (!btf.valid_id(next)) {
        if (!opts.resolve && cur == i)
          sink.type("resolve.missing", t, word_off(t, 2),
                    "Invalid type_id: type [" + std::to_string(next) + "] does not exist");
        break;
      }
      cur = next;
      t = btf.type(cur);
    }
    if (too_long) {
      for (uint32_t id : walk) marked[id] = i;
      // Follow the rest of the chain, marking it, to tell a cycle from a long chain.
      bool cycle = false;
      while (btf.valid_id(cur) && cur != 0) {
        if (marked[cur]) {
          cycle = marked[cur] == i;
          break;
        }
        const btf::Type c = btf.type(cur);
        if (!is_modifier_or_typedef(c.kind())) break;
        marked[cur] = i;
        cur = c.type();
      }
      const btf::Type head = btf.type(i);
      sink.type("type_tag.chain", head, word_off(head, 2),
                "Max chain length or cycle detected: " +
                    (cycle ? "the modifier chain from [" + std::to_string(i) + "] loops back to " +
                                 describe(btf, cur)
                           : "more than " + std::to_string(kChainLimit) +
                                 " modifiers in the chain from [" + std::to_string(i) + "]"));
    }
    good_id = i;
  }
}

}  // namespace btfcheck::verify::detail
