// Guard for the C dump: libbpf 1.1's btf__new() checks framing only, and its btf_dump
// trusts the rest (it dereferences btf__type_by_id() and btf__name_by_offset() results
// without NULL checks, and recurses along type references). Before handing a blob to it we
// check, for every type id it will visit (base and split alike):
//   * every name offset resolves to a string (libbpf would hash a NULL name),
//   * every type reference is a valid id (libbpf would dereference NULL, and
//     btf_dump_mark_referenced indexes its state array with every id, DATASEC's included),
//   * references btf_dump follows point at kinds it can place there: the target of a
//     modifier, a typedef, a pointer, a member, a parameter, a return type or an array
//     element is void or a data type (not FUNC, VAR, DATASEC or DECL_TAG). FUNC, VAR,
//     DATASEC and DECL_TAG are never emitted, so only their ids' range matters.
//   * struct/union members and array elements resolve (through typedefs and modifiers) to
//     a sized type, not to void, a FWD or a FUNC_PROTO: btf_dump lays them out by
//     btf__align_of(), which is 0 for those, and divides by it (SIGFPE),
//   * scalar sizes are ones the kernel accepts (INT 1/2/4/8/16 bytes with its bits inside,
//     FLOAT 2/4/8/12/16, ENUM/ENUM64 1/2/4/8): btf_dump divides by alignments derived
//     from them, and a zero size is a SIGFPE inside libbpf,
//   * every reference cycle runs through a pointer and through a named struct or union
//     (C can only write cycles that way; libbpf recurses or loops forever on others, e.g.
//     PTR -> CONST -> PTR). Checked as two iterative DFS passes: without the edges leaving
//     a PTR, and without the edges entering a named STRUCT/UNION, the graph is acyclic.
//   * the structs' and unions' holes add up to at most 4 MiB: btf_dump spells every hole
//     out as "long: 64;" lines, so one member at a 2^31 bit offset would make it print 2^25
//     lines (hours and gigabytes for a 100-byte input). A whole vmlinux has about 60 KiB.
// Very deep (acyclic) chains are left to dump_c, which runs libbpf on a big stack, as long
// as libbpf's work on them stays bounded: btf_dump memoizes only named definitions and
// pointers, so every btf_dump__dump_type call walks chains of ARRAY/modifier/FUNC_PROTO
// again, btf__align_of walks nested structs without memo (once per emitted struct and
// member), and anonymous types are emitted inline wherever they are used. A 100k-deep
// CONST or ARRAY chain or struct-in-struct chain is quadratic (minutes), a DAG of structs
// each holding two of the next one is exponential. check_work() sums an upper bound of
// those walks by dynamic programming over the (already proven acyclic) reference graphs
// and refuses blobs above kMaxWork steps (a vmlinux needs about 1% of it).
// The first problem found is returned as an Error naming type id, offset and rule.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "btf/dump_c_guard.h"
#include "btf/size.h"

namespace btfcheck::dump {
namespace {

using btf::Kind;

Error problem(const btf::Type& t, std::string rule, std::string msg) {
  Error e = t.btf().error(std::move(rule), std::move(msg) +
                                               "; libbpf's btf_dump cannot print it as C "
                                               "(use --format raw, or btfcheck verify)");
  e.type_id = t.id();
  e.offset = t.offset();
  return e;
}

std::optional<Error> check_size(const btf::Type& t) {
  const uint32_t sz = t.size();
  auto bad = [&](const char* allowed) {
    return problem(t, "dump.c-size", std::string(t.kind_name()) + " size " +
                                         std::to_string(sz) + " is not " + allowed);
  };
  switch (Kind(t.kind())) {
    case Kind::Int:
      if (sz != 1 && sz != 2 && sz != 4 && sz != 8 && sz != 16) return bad("1, 2, 4, 8 or 16");
      if (t.int_bits() == 0 || uint64_t(t.int_offset()) + t.int_bits() > uint64_t(sz) * 8)
        return problem(t, "dump.c-size", "INT bits_offset " + std::to_string(t.int_offset()) +
                                             " + nr_bits " + std::to_string(t.int_bits()) +
                                             " do not fit its size");
      return std::nullopt;
    case Kind::Float:
      if (sz != 2 && sz != 4 && sz != 8 && sz != 12 && sz != 16)
        return bad("2, 4, 8, 12 or 16");
      return std::nullopt;
    case Kind::Enum:
    case Kind::Enum64:
      if (sz != 1 && sz != 2 && sz != 4 && sz != 8) return bad("1, 2, 4 or 8");
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// `top` resolves every id and name offset (it is the split blob when there is one).
std::optional<Error> check_type(const btf::Btf& top, const btf::Type& t) {
  const uint32_t kind = t.kind();
  const uint32_t vlen = t.vlen();
  if (auto e = check_size(t)) return e;
  std::optional<Error> err;
  btf::for_each_name_word(kind, vlen, [&](uint32_t w) {
    if (err) return;
    const uint32_t off = t.word(w);
    if (off != 0 && !top.str(off))
      err = problem(t, "dump.c-name", "name offset " + std::to_string(off) +
                                          " is outside the string section");
  });
  if (err) return err;
  btf::for_each_ref(kind, vlen, [&](uint32_t w, btf::RefRole role, uint32_t) {
    if (err) return;
    const uint32_t ref = t.word(w);
    if (!top.valid_id(ref)) {
      err = problem(t, "dump.c-ref", "references type id " + std::to_string(ref) +
                                         " of " + std::to_string(top.type_count()));
      return;
    }
    const uint32_t target = ref ? top.type(ref).kind() : 0;
    // btf_dump only marks the ids of declarations and index types, it never follows them;
    // where it follows one it needs void or a data type (not a declaration).
    const bool followed = !btf::is_declaration(kind) && role != btf::RefRole::Index;
    if (followed && btf::is_declaration(target))
      err = problem(t, "dump.c-ref-kind",
                    "references [" + std::to_string(ref) + "] " +
                        std::string(btf::kind_name(target)) +
                        " where void or a data type is needed");
  });
  return err;
}

// References btf_dump follows from `t` (ids already range-checked), skipping void.
void followed_refs(const btf::Type& t, std::vector<uint32_t>& out) {
  out.clear();
  if (btf::is_declaration(t.kind())) return;
  btf::for_each_ref(t.kind(), t.vlen(), [&](uint32_t w, btf::RefRole role, uint32_t) {
    if (role != btf::RefRole::Index && t.word(w) != 0) out.push_back(t.word(w));
  });
}

bool named_composite(const btf::Type& t) { return btf::is_composite(t.kind()) && t.name_off() != 0; }

// The explicit stack of the iterative DFS walks below. Frames keep their pending references
// in one shared vector (the top frame's block always ends it), so a walk allocates nothing
// per type.
struct DfsStack {
  struct Frame {
    uint32_t id;
    size_t begin, next;   // this frame's references: refs[next .. end of its block)
  };
  std::vector<Frame> frames;
  std::vector<uint32_t> refs;
  void push(uint32_t id, const std::vector<uint32_t>& children) {
    frames.push_back({id, refs.size(), refs.size()});
    refs.insert(refs.end(), children.begin(), children.end());
  }
  bool top_done() const { return frames.back().next == refs.size(); }
  uint32_t next_child() { return refs[frames.back().next++]; }
  void pop() {
    refs.resize(frames.back().begin);
    frames.pop_back();
  }
};

// Iterative three-colour DFS over the followed references, minus the edges `skip` drops.
// Returns the id at which a cycle closes.
template <typename Skip>
std::optional<uint32_t> find_cycle(const btf::Btf& top, Skip skip) {
  const uint32_t n = top.type_count();
  std::vector<uint8_t> colour(n, 0);   // 0 new, 1 on stack, 2 done
  DfsStack dfs;
  std::vector<uint32_t> scratch;
  auto push = [&](uint32_t id) {
    colour[id] = 1;
    followed_refs(top.type(id), scratch);
    dfs.push(id, scratch);
  };
  for (uint32_t root = 1; root < n; ++root) {
    if (colour[root]) continue;
    push(root);
    while (!dfs.frames.empty()) {
      if (dfs.top_done()) {
        colour[dfs.frames.back().id] = 2;
        dfs.pop();
        continue;
      }
      const uint32_t from = dfs.frames.back().id, to = dfs.next_child();
      if (colour[to] == 2 || skip(top.type(from), top.type(to))) continue;
      if (colour[to] == 1) return to;
      push(to);
    }
  }
  return std::nullopt;
}

constexpr uint64_t kMaxHoleBits = uint64_t(4) << 23;   // 4 MiB
constexpr uint64_t kSaturate = uint64_t(1) << 50;

// Bits of holes btf_dump would fill with explicit padding in one struct or union.
uint64_t hole_bits(const btf::Btf& top, const btf::Type& t) {
  const bool is_union = Kind(t.kind()) == Kind::Union;
  uint64_t end = 0, holes = 0;
  for (uint32_t i = 0; i < t.vlen(); ++i) {
    const uint64_t off = t.member_bit_offset(i);
    const uint32_t bf = t.member_bitfield_size(i);
    const uint64_t sz = bf ? bf : btf::resolve_size(top, t.member(i).type).value_or(0) * 8;
    if (!is_union && off > end) holes += off - end;
    end = std::max(end, std::min(kSaturate, off + sz));
  }
  const uint64_t size_bits = uint64_t(t.size()) * 8;
  if (size_bits > end) holes += size_bits - end;
  return std::min(holes, kSaturate);
}

// Kind each id resolves to through TYPEDEF/CONST/VOLATILE/RESTRICT/TYPE_TAG, memoized.
// Precondition: no loop without a pointer (find_cycle ran), so every walk ends.
class Resolver {
 public:
  explicit Resolver(const btf::Btf& top) : top_(top), kind_(top.type_count(), kUnset) {}
  uint32_t kind(uint32_t id) {
    path_.clear();
    uint32_t k = 0;
    while (id != 0) {
      if (kind_[id] != kUnset) {
        k = kind_[id];
        break;
      }
      const btf::Type t = top_.type(id);
      if (!btf::is_modifier_or_typedef(t.kind())) {
        k = t.kind();
        kind_[id] = uint8_t(k);
        break;
      }
      path_.push_back(id);
      id = t.type();
    }
    for (uint32_t p : path_) kind_[p] = uint8_t(k);
    return k;
  }

 private:
  static constexpr uint8_t kUnset = 0xff;
  const btf::Btf& top_;
  std::vector<uint8_t> kind_;
  std::vector<uint32_t> path_;
};

std::optional<Error> check_sized_members(const btf::Btf& top) {
  Resolver r(top);
  for (uint32_t id = 1; id < top.type_count(); ++id) {
    const btf::Type t = top.type(id);
    auto need = [&](uint32_t ref, const std::string& what) -> std::optional<Error> {
      const uint32_t k = r.kind(ref);
      if (btf::is_sized(k)) return std::nullopt;
      return problem(t, "dump.c-unsized",
                     what + " [" + std::to_string(ref) + "] resolves to " +
                         (k ? std::string(btf::kind_name(k)) : std::string("void")) +
                         ", which has no size or alignment");
    };
    if (Kind(t.kind()) == Kind::Array) {
      if (auto e = need(t.array().type, "element type")) return e;
    } else if (btf::is_composite(t.kind())) {
      for (uint32_t i = 0; i < t.vlen(); ++i)
        if (auto e = need(t.member(i).type, "member " + std::to_string(i) + " type")) {
          e->member = i;
          return e;
        }
    }
  }
  return std::nullopt;
}

constexpr uint64_t kMaxWork = uint64_t(1) << 28;

uint64_t sat_add(uint64_t a, uint64_t b) { return std::min(kSaturate, a + b); }
uint64_t sat_mul(uint64_t a, uint64_t b) { return b && a > kSaturate / b ? kSaturate : std::min(kSaturate, a * b); }

// value(id) = self(id) + sum of value(child) over children(id, out), memoized, iterative
// (post-order on an explicit stack). The edge sets used are subgraphs of the graphs
// find_cycle proved acyclic; a back edge is counted as 1 anyway, so this always ends.
template <typename Self, typename Children>
std::vector<uint64_t> dag_sum(const btf::Btf& top, Self self, Children children) {
  const uint32_t n = top.type_count();
  std::vector<uint64_t> val(n, 0);
  std::vector<uint8_t> state(n, 0);   // 0 new, 1 open, 2 done
  DfsStack dfs;
  std::vector<uint32_t> scratch;
  val[0] = 1;
  state[0] = 2;
  auto push = [&](uint32_t id) {
    state[id] = 1;
    scratch.clear();
    children(top.type(id), scratch);
    dfs.push(id, scratch);
  };
  for (uint32_t root = 1; root < n; ++root) {
    if (state[root]) continue;
    push(root);
    while (!dfs.frames.empty()) {
      if (dfs.top_done()) {
        const DfsStack::Frame& f = dfs.frames.back();
        uint64_t v = self(top.type(f.id));
        for (size_t i = f.begin; i < dfs.refs.size(); ++i)
          v = sat_add(v, state[dfs.refs[i]] == 2 ? val[dfs.refs[i]] : 1);
        val[f.id] = v;
        state[f.id] = 2;
        dfs.pop();
        continue;
      }
      const uint32_t to = dfs.next_child();
      if (state[to] == 0) push(to);
    }
  }
  return val;
}

// Upper bound of libbpf's steps for the whole C dump (see the file comment).
std::optional<Error> check_work(const btf::Btf& top) {
  auto refs_of = [](const btf::Type& t, std::vector<uint32_t>& out) { followed_refs(t, out); };
  // Ordering: btf_dump_order_type memoizes everything but ARRAY, modifiers and FUNC_PROTO.
  auto order = dag_sum(top, [](const btf::Type&) { return uint64_t(1); },
                       [&](const btf::Type& t, std::vector<uint32_t>& out) {
                         const Kind k = Kind(t.kind());
                         if (k == Kind::Array || k == Kind::FuncProto || btf::is_modifier(t.kind()))
                           refs_of(t, out);
                       });
  // btf__align_of: through TYPEDEF, modifiers, ARRAY, STRUCT/UNION members; PTR stops it.
  auto align = dag_sum(top, [](const btf::Type&) { return uint64_t(1); },
                       [&](const btf::Type& t, std::vector<uint32_t>& out) {
                         if (Kind(t.kind()) == Kind::Array || btf::is_composite(t.kind()) ||
                             btf::is_modifier_or_typedef(t.kind()))
                           refs_of(t, out);
                       });
  // A struct/union definition: align_of itself and twice per member, plus its members'
  // declarations.
  auto def_cost = [&](const btf::Type& t) {
    uint64_t c = align[t.id()];
    for (uint32_t i = 0; i < t.vlen(); ++i) c = sat_add(c, sat_mul(2, align[t.member(i).type]));
    return sat_add(c, t.vlen());
  };
  // Inline declaration of a type used somewhere: named definitions print as their name,
  // anonymous structs/unions/enums are spelled out, pointers/arrays/modifiers/prototypes
  // spell their targets.
  auto decl = dag_sum(top,
                      [&](const btf::Type& t) {
                        if (btf::is_composite(t.kind()) && t.name_off() == 0) return def_cost(t);
                        if (btf::is_any_enum(t.kind()) && t.name_off() == 0) return uint64_t(1) + t.vlen();
                        return uint64_t(1);
                      },
                      [&](const btf::Type& t, std::vector<uint32_t>& out) {
                        const Kind k = Kind(t.kind());
                        const bool anon_composite = btf::is_composite(t.kind()) && t.name_off() == 0;
                        if (anon_composite || k == Kind::Ptr || k == Kind::Array || k == Kind::FuncProto ||
                            btf::is_modifier(t.kind()))
                          refs_of(t, out);
                      });
  uint64_t work = 0;
  std::vector<uint32_t> out;
  for (uint32_t id = 1; id < top.type_count() && work <= kMaxWork; ++id) {
    const btf::Type t = top.type(id);
    const Kind k = Kind(t.kind());
    uint64_t w = order[id];   // btf_dump__dump_type(id) starts an ordering walk
    followed_refs(t, out);
    for (uint32_t r : out) w = sat_add(w, order[r]);   // the first, unmemoized visit
    if (named_composite(t)) {
      w = sat_add(w, def_cost(t));
      for (uint32_t i = 0; i < t.vlen(); ++i) w = sat_add(w, decl[t.member(i).type]);
    } else if (k == Kind::Typedef) {
      w = sat_add(w, decl[t.type()]);
    } else if (btf::is_any_enum(t.kind())) {
      w = sat_add(w, t.vlen());
    }
    work = sat_add(work, w);
    if (work > kMaxWork)
      return problem(t, "dump.c-work",
                     "libbpf's btf_dump would take more than " + std::to_string(kMaxWork) +
                         " steps (reference chains it walks again for every type, or "
                         "nested structs it re-aligns without memo), reached at this type");
  }
  return std::nullopt;
}

}  // namespace

std::optional<Error> c_dump_guard(const btf::Btf& top) {
  for (uint32_t id = 1; id < top.type_count(); ++id)
    if (auto e = check_type(top, top.type(id))) return e;
  auto no_ptr = [](const btf::Type& from, const btf::Type&) {
    return Kind(from.kind()) == Kind::Ptr;
  };
  auto no_named = [](const btf::Type&, const btf::Type& to) { return named_composite(to); };
  uint64_t holes = 0;
  for (uint32_t id = 1; id < top.type_count(); ++id) {
    const btf::Type t = top.type(id);
    if (!btf::is_composite(t.kind())) continue;
    holes = std::min(kSaturate, holes + hole_bits(top, t));
    if (holes > kMaxHoleBits)
      return problem(t, "dump.c-padding",
                     "holes between members add up to more than 4 MiB (size " +
                         std::to_string(t.size()) + "); the C dump would spell each 8 bytes "
                         "out as a padding line");
  }
  if (auto id = find_cycle(top, no_ptr))
    return problem(top.type(*id), "dump.c-loop",
                   "reference loop without a pointer (a type containing itself)");
  if (auto id = find_cycle(top, no_named))
    return problem(top.type(*id), "dump.c-loop",
                   "reference loop that does not pass through a named struct or union");
  if (auto e = check_sized_members(top)) return e;
  return check_work(top);
}

}  // namespace btfcheck::dump
