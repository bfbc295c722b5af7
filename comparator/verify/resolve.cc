// Pass 2: the resolve pass (btf_check_all_types, btf_resolve, the kinds' *_resolve and
// *_check_member, btf_func_check, btf_func_proto_check).
//
// Design. The kernel resolves every type that refers to others with a depth-first walk on an
// explicit stack of (type, next member) vertices and per-type states NOT_VISITED / VISITED /
// RESOLVED; a resolved modifier, VAR or PTR remembers the sized type it ends at and an ARRAY
// its total size (resolved_ids / resolved_sizes). A "resolve mode", set by the first PTR or
// STRUCT/ARRAY pushed after a root, decides which referenced types are followed (pushed)
// and which are sinks. This file mirrors that algorithm step by step - the same mode
// switches, the same sink rules, the same order over type ids - so that it accepts and
// rejects exactly what the kernel does, including order-dependent corners (a PTR to a FUNC
// is accepted only if the FUNC was resolved before, as in the kernel).
//
// Differences, all about going on after an error instead of returning:
//   - A fourth state, FAILED: a type whose resolution went wrong (or that lies on a loop).
//     It counts as resolved for "push or not", and every size query through it answers
//     "poisoned", which the caller takes as "already reported, stay silent". So one bad type
//     yields one violation, not one per user, and each type is pushed at most once: the
//     pass stays linear (a struct re-enters at its next member, an array at its phase).
//   - The kernel fails at push number MAX_RESOLVE_DEPTH+1. Here the depth violation is
//     reported once for the root and the walk goes on with an unbounded stack (a std::vector,
//     never the C++ call stack), so a 100k-long typedef chain gives one violation, and its
//     types end up resolved for their users.
//   - A push of a VISITED type is a back edge: "Loop detected", reported at the root (as
//     the kernel does) with the cycle spelled out; the cycle's types become FAILED and are
//     popped, and the vertex below them continues.
//   - Split BTF: the base's types are resolved first, silently and seeing only base ids (the
//     kernel has them resolved already; their violations belong to the base's own
//     verification, and a broken base must not settle the split's types behind its back).
// Nothing recurses on input-controlled depth: modifier members resolve through the stored
// results (one step), and FUNC_PROTO checks start nested walks only from the top level.
// Where a resolved member may sit in its struct is members.cc.
#include <algorithm>
#include <limits>

#include "comparator/verify/internal.h"

namespace btfcheck::verify::detail {
namespace {

enum State : uint8_t { kNotVisited, kVisited, kResolved, kFailed };
enum class Mode : uint8_t { Tbd, Ptr, StructOrArray };

std::string n(uint64_t v) { return std::to_string(v); }

// btf_type_id_size's answer: the sized type a reference ends at, and its size.
struct Sized {
  enum Status : uint8_t { Ok, Fail, Poison } status = Fail;
  uint32_t id = 0;
  uint32_t size = 0;
};

class Resolver {
 public:
  Resolver(const btf::Btf& btf, const Options& opts, Sink& sink)
      : btf_(btf), opts_(opts), sink_(sink), count_(btf.type_count()),
        state_(count_, kNotVisited), rid_(count_, 0), rsize_(count_, 0) {}

  void run() {
    const uint32_t start = btf_.start_id();
    if (start > 1) {
      const bool was_quiet = sink_.quiet();
      sink_.set_quiet(true);
      limit_ = start;
      pass(1, start, false);
      limit_ = count_;
      sink_.set_quiet(was_quiet);
    }
    pass(start, count_, true);
  }

 private:
  struct Vertex {
    uint32_t id;
    uint32_t next;  // STRUCT/DATASEC: member to continue at; ARRAY: 0 index, 1 element
  };

  // --- type access -------------------------------------------------------------------
  // Ids that exist for the walk at hand: while the base is resolved, only the base's own
  // (a broken base must not reach into, and silently settle, the split's types).
  bool valid(uint32_t id) const { return id < limit_; }
  uint32_t kind(uint32_t id) const { return id == 0 ? 0 : btf_.type(id).kind(); }
  bool resolved(uint32_t id) const { return state_[id] >= kResolved; }
  bool is_sink(uint32_t k) const {
    switch (mode_) {
      case Mode::Tbd: return !needs_resolve(k);
      case Mode::Ptr: return !is_modifier_or_typedef(k) && k != K(Kind::Ptr);
      case Mode::StructOrArray:
        return !is_modifier_or_typedef(k) && k != K(Kind::Array) && !is_composite(k);
    }
    return true;
  }

  // btf_type_id_size, with FAILED types answering Poison.
  Sized id_size(uint32_t id) const {
    if (!valid(id)) return {};
    uint32_t k = kind(id);
    if (is_nosize(k)) return {};
    if (has_size_word(k)) return {Sized::Ok, id, btf_.type(id).size()};
    if (k == K(Kind::Array))
      return state_[id] == kFailed ? Sized{Sized::Poison} : Sized{Sized::Ok, id, rsize_[id]};
    if (k == K(Kind::Ptr)) return {Sized::Ok, id, opts_.ptr_size};
    if (!is_modifier_or_typedef(k) && k != K(Kind::Var)) return {};
    if (state_[id] == kFailed) return {Sized::Poison};
    const uint32_t r = rid_[id];
    if (!valid(r)) return {};
    k = kind(r);
    if (is_nosize(k)) return {};
    if (has_size_word(k)) return {Sized::Ok, r, btf_.type(r).size()};
    if (k == K(Kind::Array))
      return state_[r] == kFailed ? Sized{Sized::Poison} : Sized{Sized::Ok, r, rsize_[r]};
    if (k == K(Kind::Ptr)) return {Sized::Ok, r, opts_.ptr_size};
    return {};
  }

  // --- reporting ---------------------------------------------------------------------
  // The kernel's common "!next_type || btf_type_is_resolve_source_only(next_type)" front.
  bool bad_ref(const btf::Type& t, uint32_t ref, uint64_t at, std::optional<uint32_t> idx,
               std::string_view what) {
    if (!valid(ref)) {
      sink_.at("resolve.missing", t, idx, at,
             std::string(what) + ": type [" + n(ref) + "] does not exist (last id is " +
                 n(limit_ - 1) + ")");
      return true;
    }
    if (is_source_only(kind(ref))) {
      sink_.at("resolve.source-only", t, idx, at,
             std::string(what) + ": " + describe(btf_, ref) +
                 " cannot be referenced here (VAR, DATASEC and DECL_TAG are resolve sources only)");
      return true;
    }
    return false;
  }

  // --- the walk ------------------------------------------------------------------------
  void pass(uint32_t lo, uint32_t hi, bool own) {
    for (uint32_t id = lo; id < hi; ++id) {
      const uint32_t k = kind(id);
      if (needs_resolve(k) && !resolved(id)) resolve_root(id);
      if (own && k == K(Kind::FuncProto)) check_proto(btf_.type(id));
    }
  }

  void resolve_root(uint32_t id) {
    mode_ = Mode::Tbd;
    root_ = id;
    depth_reported_ = false;
    push(id);
    while (!stack_.empty()) step();
  }

  void push(uint32_t id) {
    if (stack_.size() >= opts_.max_resolve_depth && !depth_reported_) {
      depth_reported_ = true;
      const btf::Type r = btf_.type(root_);
      sink_.type("resolve.depth", r, r.offset(),
                 "Exceeded max resolving depth:" + n(opts_.max_resolve_depth) + " (reaching " +
                     describe(btf_, id) + ")");
    }
    if (state_[id] == kVisited) return loop(id);
    state_[id] = kVisited;
    stack_.push_back({id, 0});
    if (mode_ == Mode::Tbd) {
      const uint32_t k = kind(id);
      if (k == K(Kind::Ptr))
        mode_ = Mode::Ptr;
      else if (is_composite(k) || k == K(Kind::Array))
        mode_ = Mode::StructOrArray;
    }
  }

  void loop(uint32_t id) {
    size_t k = stack_.size();
    while (k > 0 && stack_[k - 1].id != id) --k;
    k = k ? k - 1 : 0;
    std::string cycle;
    constexpr size_t kShow = 8;
    for (size_t i = k; i < stack_.size(); ++i) {
      if (i - k == kShow) {
        cycle += " -> ... (" + n(stack_.size() - k) + " types)";
        break;
      }
      cycle += (i == k ? "" : " -> ") + describe(btf_, stack_[i].id);
    }
    cycle += " -> [" + n(id) + "]";
    const btf::Type r = btf_.type(root_);
    sink_.type("resolve.loop", r, r.offset(),
               "Loop detected: " + cycle + (root_ == id ? "" : " (reached from [" + n(root_) + "])"));
    for (size_t i = k; i < stack_.size(); ++i) state_[stack_[i].id] = kFailed;
    stack_.resize(k);
  }

  void pop_resolved(uint32_t rid, uint32_t size) {
    const uint32_t id = stack_.back().id;
    state_[id] = kResolved;
    rid_[id] = rid;
    rsize_[id] = size;
    stack_.pop_back();
  }
  void pop_failed() {
    state_[stack_.back().id] = kFailed;
    stack_.pop_back();
  }

  void step() {
    const btf::Type t = btf_.type(stack_.back().id);
    if (is_modifier_or_typedef(t.kind())) return resolve_ref(t, Kind::Typedef);
    switch (static_cast<Kind>(t.kind())) {
      case Kind::Ptr: return resolve_ref(t, Kind::Ptr);
      case Kind::Var: return resolve_ref(t, Kind::Var);
      case Kind::Array: return resolve_array(t);
      case Kind::Struct:
      case Kind::Union: return resolve_struct(t);
      case Kind::Datasec: return resolve_datasec(t);
      case Kind::Func: return resolve_func(t);
      case Kind::DeclTag: return resolve_decl_tag(t);
      default: return pop_failed();  // never pushed
    }
  }

  // btf_modifier_resolve (as = Typedef), btf_ptr_resolve (Ptr), btf_var_resolve (Var).
  void resolve_ref(const btf::Type& t, Kind as) {
    const uint32_t next = t.type();
    const uint64_t at = word_off(t, 2);
    if (next > kMaxType || (as == Kind::Var && next == 0)) return pop_failed();  // pass 1
    if (bad_ref(t, next, at, {}, "Invalid type_id")) return pop_failed();
    const uint32_t nk = kind(next);
    if (!is_sink(nk) && !resolved(next)) return push(next);
    if (as != Kind::Typedef && is_modifier_or_typedef(nk)) {
      // The modifier may have stopped at a pointer (last-resolved-ptr); follow it too.
      const uint32_t r = rid_[next];
      if (r && valid(r) && kind(r) == K(Kind::Ptr) && !is_sink(K(Kind::Ptr)) && !resolved(r))
        return push(r);
    }
    const Sized s = id_size(next);
    if (s.status == Sized::Poison) return pop_failed();
    if (s.status == Sized::Ok) return pop_resolved(s.id, 0);
    if (as == Kind::Var) {
      sink_.type("var.type", t, at, "Invalid type_id: " + describe(btf_, next) + " has no size");
      return pop_failed();
    }
    uint32_t rid = next, rk = nk;
    if (state_[next] == kResolved && needs_resolve(nk) && valid(rid_[next])) {
      rid = rid_[next];
      rk = kind(rid);
    }
    // "typedef void new_void", "const void", "const struct fwd", function typedefs.
    if (rk == 0 || rk == K(Kind::Fwd) || rk == K(Kind::FuncProto)) return pop_resolved(rid, 0);
    sink_.type("modifier.type", t, at,
               "Invalid type_id: " + describe(btf_, next) +
                   (rid != next ? " (resolving to " + describe(btf_, rid) + ")" : "") +
                   " is neither a sized type nor void, FWD or FUNC_PROTO");
    pop_failed();
  }

  void resolve_array(const btf::Type& t) {
    const btf::Type::ArrayInfo a = t.array();
    if (stack_.back().next == 0) {
      const uint32_t idx = a.index_type;
      const uint64_t at = word_off(t, btf::ref_word(t.kind(), btf::RefRole::Index));
      if (idx != 0 && idx <= kMaxType && !bad_ref(t, idx, at, {}, "Invalid index")) {
        const uint32_t k = kind(idx);
        if (is_nosize(k)) {
          sink_.type("array.index", t, at, "Invalid index: " + describe(btf_, idx) + " has no size");
        } else {
          if (!is_sink(k) && !resolved(idx)) return push(idx);
          const Sized s = id_size(idx);
          if (s.status == Sized::Fail ||
              (s.status == Sized::Ok &&
               (kind(s.id) != K(Kind::Int) || !int_is_regular(btf_.type(s.id)))))
            sink_.type("array.index", t, at,
                       "Invalid index: " + describe(btf_, idx) + " is not a regular INT");
        }
      }
      stack_.back().next = 1;
    }
    const uint32_t elem = a.type;
    const uint64_t at = word_off(t, btf::ref_word(t.kind(), btf::RefRole::Element));
    if (elem == 0 || elem > kMaxType) return pop_failed();  // pass 1
    if (bad_ref(t, elem, at, {}, "Invalid elem")) return pop_failed();
    const uint32_t k = kind(elem);
    if (is_nosize(k)) {
      sink_.type("array.elem", t, at, "Invalid elem: " + describe(btf_, elem) + " has no size");
      return pop_failed();
    }
    if (!is_sink(k) && !resolved(elem)) return push(elem);
    const Sized s = id_size(elem);
    if (s.status == Sized::Poison) return pop_failed();
    if (s.status == Sized::Fail) {
      sink_.type("array.elem", t, at, "Invalid elem: " + describe(btf_, elem) + " has no size");
      return pop_failed();
    }
    if (kind(s.id) == K(Kind::Int) && !int_is_regular(btf_.type(s.id)))
      sink_.type("array.int-elem", t, at,
                 "Invalid array of int: " + describe(btf_, s.id) +
                     " is not a regular INT (bit offset or odd bit count)");
    if (a.nelems && s.size > std::numeric_limits<uint32_t>::max() / a.nelems) {
      sink_.type("array.overflow", t, word_off(t, 5),
                 "Array size overflows U32_MAX: " + n(a.nelems) + " x " + n(s.size) + " bytes");
      return pop_failed();
    }
    pop_resolved(s.id, s.size * a.nelems);
  }

  void resolve_struct(const btf::Type& t) {
    for (uint32_t i = stack_.back().next; i < t.vlen(); ++i) {
      const uint32_t mid = t.member(i).type;
      const uint64_t at = word_off(t, btf::entry_ref_word(t.kind(), i));
      if (mid == 0 || mid > kMaxType) continue;  // pass 1
      if (bad_ref(t, mid, at, i, "Invalid member")) continue;
      const uint32_t k = kind(mid);
      if (is_nosize(k)) {
        sink_.member("struct.member-type", t, i, at,
                     "Invalid member: " + member_label(btf_, t, i) + " has type " + describe(btf_, mid) +
                         ", which has no size");
        continue;
      }
      if (!is_sink(k) && !resolved(mid)) {
        stack_.back().next = i;
        return push(mid);
      }
      check_member(t, i, mid);
    }
    pop_resolved(0, 0);
  }

  // Resolves a member's modifiers (btf_modifier_check_member) and hands the sized type to
  // the placement checks (members.cc).
  void check_member(const btf::Type& s, uint32_t i, uint32_t mid) {
    uint32_t id = mid, k = kind(mid);
    if (is_modifier_or_typedef(k)) {
      const Sized r = id_size(mid);
      if (r.status == Sized::Poison) return;
      if (r.status == Sized::Fail || is_modifier_or_typedef(kind(r.id))) {
        sink_.member("struct.member-type", s, i, word_off(s, btf::entry_ref_word(s.kind(), i)),
                     "Invalid member: " + member_label(btf_, s, i) + " has type " +
                         describe(btf_, mid) + ", which does not resolve to a sized type");
        return;
      }
      id = r.id;
      k = kind(id);
    }
    uint32_t array_size = 0;
    if (k == K(Kind::Array)) {
      const Sized a = id_size(id);
      if (a.status != Sized::Ok) return;
      array_size = a.size;
    }
    if (!check_member_placement(btf_, opts_, sink_, s, i, btf_.type(id), array_size))
      sink_.member("struct.member-type", s, i, word_off(s, btf::entry_ref_word(s.kind(), i)),
                   "Invalid member: " + member_label(btf_, s, i) + " has type " + describe(btf_, mid));
  }

  void resolve_datasec(const btf::Type& t) {
    mode_ = Mode::Tbd;  // btf_datasec_resolve resets it on every entry
    for (uint32_t i = stack_.back().next; i < t.vlen(); ++i) {
      const btf::Type::SecInfo v = t.secinfo(i);
      const uint64_t at = word_off(t, btf::entry_ref_word(t.kind(), i));
      if (v.type == 0 || v.type > kMaxType) continue;  // pass 1
      if (!valid(v.type)) {
        sink_.member("resolve.missing", t, i, at,
                     "Not a VAR kind member: type [" + n(v.type) + "] does not exist");
        continue;
      }
      if (kind(v.type) != K(Kind::Var)) {
        sink_.member("datasec.not-var", t, i, at,
                     "Not a VAR kind member: entry #" + n(i) + " is " + describe(btf_, v.type));
        continue;
      }
      if (!is_sink(K(Kind::Var)) && !resolved(v.type)) {
        stack_.back().next = i;
        return push(v.type);
      }
      if (state_[v.type] == kFailed) continue;
      // The kernel's "Invalid type" here cannot trigger: a RESOLVED VAR has a sized type
      // (btf_var_resolve checked it, var.type), a FAILED one was reported already.
      const Sized s = id_size(btf_.type(v.type).type());
      if (s.status != Sized::Ok) continue;
      if (v.size < s.size)
        sink_.member("datasec.var-size", t, i, word_off(t, btf::entry_word(t.kind(), i) + 2),
                     "Invalid size: entry of " + n(v.size) + " bytes for " + describe(btf_, v.type) +
                         " of " + n(s.size) + " bytes");
    }
    pop_resolved(0, 0);
  }

  // The type word of FUNC or DECL_TAG `t` names no type: reported, and `t` fails.
  bool target_missing(const btf::Type& t) {
    if (valid(t.type())) return false;
    sink_.type("resolve.missing", t, word_off(t, 2),
               "Invalid type_id: type [" + n(t.type()) + "] does not exist");
    pop_failed();
    return true;
  }

  // btf_func_resolve -> btf_func_check.
  void resolve_func(const btf::Type& t) {
    const uint32_t proto = t.type();
    const uint64_t at = word_off(t, 2);
    if (target_missing(t)) return;
    if (kind(proto) != K(Kind::FuncProto)) {
      sink_.type("func.proto", t, at,
                 "Invalid type_id: FUNC must point to a FUNC_PROTO, not " + describe(btf_, proto));
      return pop_failed();
    }
    const btf::Type p = btf_.type(proto);
    for (uint32_t i = 0; i < p.vlen(); ++i)
      if (!p.param(i).name_off && p.param(i).type)
        sink_.member("func.arg-name", t, i, at,
                     "Invalid arg#" + n(i + 1) + ": parameter of " + describe(btf_, proto) +
                         " has no name");
    pop_resolved(proto, 0);
  }

  void resolve_decl_tag(const btf::Type& t) {
    const uint32_t target = t.type();
    const uint64_t at = word_off(t, 2);
    if (target_missing(t)) return;
    const uint32_t k = kind(target);
    if (!(k == K(Kind::Func) || is_composite(k) || k == K(Kind::Var) || k == K(Kind::Typedef))) {
      sink_.type("decl_tag.target", t, at,
                 "Invalid type_id: a DECL_TAG must tag a STRUCT, UNION, FUNC, VAR or TYPEDEF, not " +
                     describe(btf_, target));
      return pop_failed();
    }
    if (!is_sink(k) && !resolved(target)) return push(target);
    const int32_t comp = t.decl_tag_component();
    if (comp >= 0) {
      const btf::Type tt = btf_.type(target);
      std::optional<uint32_t> vlen;
      if (k == K(Kind::Var) || k == K(Kind::Typedef)) {
        vlen = 0;
      } else if (is_composite(k)) {
        vlen = tt.vlen();
      } else if (valid(tt.type()) && kind(tt.type()) == K(Kind::FuncProto)) {
        vlen = btf_.type(tt.type()).vlen();
      }
      if (vlen && uint32_t(comp) >= *vlen)
        sink_.type("decl_tag.component", t, word_off(t, 3),
                   "Invalid component_idx: " + n(comp) + " for " + describe(btf_, target) +
                       (*vlen ? " with " + n(*vlen) + " members/params" : " (must be -1)"));
    }
    pop_resolved(target, 0);
  }

  // btf_func_proto_check, for the blob's own FUNC_PROTOs after their id came up.
  void check_proto(const btf::Type& t) {
    const uint32_t ret = t.type();
    if (ret && !bad_ref(t, ret, word_off(t, 2), {}, "Invalid return type")) {
      if (needs_resolve(kind(ret)) && !resolved(ret)) resolve_root(ret);
      if (id_size(ret).status == Sized::Fail)
        sink_.type("proto.return", t, word_off(t, 2),
                   "Invalid return type: " + describe(btf_, ret) + " has no size");
    }
    uint32_t nargs = t.vlen();
    if (nargs && t.param(nargs - 1).type == 0) {
      if (t.param(nargs - 1).name_off)
        sink_.member("proto.vararg", t, nargs - 1, word_off(t, btf::entry_name_word(t.kind(), nargs - 1)),
                     "Invalid arg#" + n(nargs) + ": the vararg marker (type 0) must have no name");
      --nargs;
    }
    for (uint32_t i = 0; i < nargs; ++i) {
      const btf::Type::Param p = t.param(i);
      const std::string what = "Invalid arg#" + n(i + 1);
      const uint64_t at_name = word_off(t, btf::entry_name_word(t.kind(), i));
      const uint64_t at_type = word_off(t, btf::entry_ref_word(t.kind(), i));
      if (bad_ref(t, p.type, at_type, i, what)) continue;
      if (p.name_off) {
        if (!name_offset_valid(btf_, p.name_off))
          sink_.member("name.offset", t, i, at_name, what + ": name_offset " + n(p.name_off));
        else if (!valid_identifier(name_at(btf_, p.name_off), opts_))
          sink_.member("name.invalid", t, i, at_name,
                       what + ": " + quoted(name_at(btf_, p.name_off)) + " is not a valid identifier");
      }
      if (needs_resolve(kind(p.type)) && !resolved(p.type)) resolve_root(p.type);
      if (id_size(p.type).status == Sized::Fail)
        sink_.member("proto.arg", t, i, at_type, what + ": " + describe(btf_, p.type) + " has no size");
    }
  }

  const btf::Btf& btf_;
  const Options& opts_;
  Sink& sink_;
  const uint32_t count_;
  uint32_t limit_ = count_;
  std::vector<uint8_t> state_;
  std::vector<uint32_t> rid_, rsize_;
  std::vector<Vertex> stack_;
  Mode mode_ = Mode::Tbd;
  uint32_t root_ = 0;
  bool depth_reported_ = false;
};

}  // namespace

void check_types(const btf::Btf& btf, const Options& opts, Sink& sink) {
  Resolver(btf, opts, sink).run();
}

}  // namespace btfcheck::verify::detail
