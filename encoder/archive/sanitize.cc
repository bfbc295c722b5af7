// Sanitize: the last step of the canonical archive merge (encode archive --dedup=canonical,
// on by default, --no-sanitize keeps the raw merge). It makes the merged BTF ordinary BTF
// that the kernel would load, i.e. that `btfcheck verify` passes, by answering exactly the
// verifier rules (comparator/verify/) that compiler-emitted per-object BTF breaks. Each
// reason is counted (SanitizeStats) and is one of:
//
// Dropped (nothing may be left pointing at a dropped type, see "closure" below):
//   datasec-invalid  A DATASEC that fails the kernel's DATASEC checks: size 0
//                    (datasec.size), an entry that is not a VAR (datasec.not-var, ref.void),
//                    overlaps (datasec.overlap), starts or ends past the section
//                    (datasec.offset, datasec.end), has size 0 (datasec.entry-size), is
//                    smaller than its VAR (datasec.var-size), or entries adding up to more
//                    than the section (datasec.sum). gcc 12 emits a DATASEC per object
//                    section with offsets into the object's own, unlinked section and
//                    often size 0: in a merged image those offsets mean nothing, and no
//                    entry can be repaired without the linker's layout. (pahole -J's
//                    per-object .data..percpu DATASECs are valid and stay.)
//   var-unlisted     A VAR that only dropped DATASECs listed (the kernel's vmlinux BTF
//                    has the VARs of the DATASECs it keeps, i.e. per-CPU data, only). A
//                    VAR that no DATASEC listed in the first place stays.
//   func-unnamed     A FUNC without a name (name.required).
//   func-arg-name    A FUNC whose prototype has a parameter without a name
//                    (func.arg-name); the prototype itself stays (pointers use it).
//   func-proto       A FUNC whose type is not a FUNC_PROTO (func.proto).
//   decl-tag-orphan  A DECL_TAG whose target was dropped.
//   anon-orphan      An anonymous type (a dropped FUNC's prototype, the pointers only it
//                    used, ...) that only dropped types referred to: nothing can name it.
// Fixed in place:
//   fwd-type         A FWD's type word (and vlen) set to 0 (fwd.type, type.vlen).
//   int-encoding     An INT encoding with several bits (gcc: char = SIGNED|CHAR) reduced
//                    to one, SIGNED before CHAR before BOOL (int.encoding): signedness
//                    decides the value, CHAR and BOOL only how it prints.
//   array-index      An ARRAY with a void index type (ref.void) gets the index type of the
//                    first ARRAY whose index is a regular INT (gcc: sizetype); without one,
//                    a new INT '__ARRAY_SIZE_TYPE__' (as pahole adds) is appended.
//   fwd-by-value     A struct FWD that a FUNC_PROTO takes or returns by value (through
//                    typedefs and qualifiers) while no STRUCT or UNION of its name exists
//                    anywhere in the merge becomes an enum declaration (ENUM, size 4, no
//                    enumerators): C passes no incomplete struct to a function that is ever
//                    called or defined, and gcc 12 emits an incomplete enum as a struct FWD
//                    (proto.arg, proto.return: a FWD has no size). pahole emits the same
//                    ENUM for the same declaration.
//
// Closure. A drop candidate that a kept type other than a DECL_TAG refers to is kept
// (counted as kept-referenced, never silently dangling); a DECL_TAG on a dropped type is
// dropped with it. Keeping a type keeps everything it refers to. This is a worklist over
// predecessors, linear in the references.
//
// Output: the kept types in their order, renumbered and their references rewritten
// (btf::drop_records), names re-interned in record order (so unchanged input gives the same
// string section), appended types last. A DATASEC is judged by btf::datasec_valid, the
// verifier's own DATASEC rules (btf/datasec.h). When nothing changes, the input bytes are returned as
// they are. Deterministic: decisions depend only on the records, in id order.
#include "encoder/archive/sanitize.h"

#include <string_view>
#include <unordered_set>

#include "btf/datasec.h"
#include "btf/kinds.h"
#include "btf/records.h"
#include "btf/strings.h"
#include "btf/write.h"

namespace btfcheck::archive {
namespace {

using btf::Kind;
constexpr uint32_t K(Kind k) { return static_cast<uint32_t>(k); }

bool regular_int(const btf::Type& t) {
  if (t.kind() != K(Kind::Int) || t.int_offset() != 0) return false;
  const uint32_t s = t.size();
  return (s == 1 || s == 2 || s == 4 || s == 8 || s == 16) && t.int_bits() == 8 * s;
}

class Sanitizer {
 public:
  Sanitizer(const btf::Btf& b, SanitizeStats& st)
      : b_(b), st_(st), start_(b.start_id()), n_(b.own_count()),
        drop_(n_, 0), pinned_(n_, 0), why_(n_, nullptr) {}

  std::vector<uint8_t> run() {
    records_ = btf::Records::of(b_);
    fix_records();
    choose_drops();
    close_drops();
    if (!changed_ && st_.dropped() == 0) return {b_.bytes().begin(), b_.bytes().end()};
    return emit();
  }

 private:
  bool own(uint32_t id) const { return id >= start_ && id < start_ + n_; }
  uint32_t kind(uint32_t id) const { return b_.valid_id(id) && id ? b_.type(id).kind() : 0; }
  uint32_t* rec(uint32_t id) { return records_.rec(id); }

  void fix_records() {
    std::unordered_set<std::string_view> aggregates;   // membership only, never iterated
    for (uint32_t id = start_; id < start_ + n_; ++id) {
      const btf::Type t = b_.type(id);
      if (btf::is_composite(t.kind()) && !t.name().empty())
        aggregates.insert(t.name());
    }
    for (uint32_t id = 1; id < start_ + n_ && !index_type_; ++id) {
      const btf::Type t = b_.type(id);
      if (t.kind() == K(Kind::Array) && t.array().index_type && b_.valid_id(t.array().index_type) &&
          regular_int(b_.type(t.array().index_type)))
        index_type_ = t.array().index_type;
    }
    for (uint32_t id = start_; id < start_ + n_; ++id) {
      const btf::Type t = b_.type(id);
      uint32_t* w = rec(id);
      switch (static_cast<Kind>(t.kind())) {
        case Kind::Fwd:
          if (w[2] || t.vlen()) {
            w[2] = 0;
            w[1] = btf::make_info(t.kind(), 0, t.kflag());
            ++st_.fwd_type, changed_ = true;
          }
          break;
        case Kind::Int: {
          const uint32_t enc = t.int_encoding();
          if (enc != 0 && enc != 1 && enc != 2 && enc != 4) {
            const uint32_t one = (enc & 1) ? 1 : (enc & 2) ? 2 : (enc & 4) ? 4 : 0;
            w[3] = (w[3] & ~0x0f000000u) | (one << 24);
            ++st_.int_encoding, changed_ = true;
          }
          break;
        }
        case Kind::Array:
          if (t.array().index_type == 0) {
            void_index_.push_back(id);
            ++st_.array_index, changed_ = true;
          }
          break;
        default:
          break;
      }
    }
    // After the per-record fixes: a FWD converted here must not be re-zeroed as a FWD.
    for (uint32_t id = start_; id < start_ + n_; ++id) {
      const btf::Type t = b_.type(id);
      if (t.kind() != K(Kind::FuncProto)) continue;
      fwd_by_value(t.type(), aggregates);
      for (uint32_t i = 0; i < t.vlen(); ++i) fwd_by_value(t.param(i).type, aggregates);
    }
  }

  void fwd_by_value(uint32_t id, const std::unordered_set<std::string_view>& aggregates) {
    for (int step = 0; step < 64 && id && b_.valid_id(id); ++step) {
      const btf::Type t = b_.type(id);
      if (btf::is_modifier_or_typedef(t.kind())) {
        id = t.type();
        continue;
      }
      if (t.kind() != K(Kind::Fwd) || !own(id) || t.kflag() || t.name().empty() ||
          aggregates.count(t.name()))
        return;
      uint32_t* w = rec(id);
      if (btf::info_kind(w[1]) == K(Kind::Enum)) return;   // converted already
      w[1] = btf::make_info(K(Kind::Enum), 0, false);
      w[2] = 4;
      ++st_.fwd_by_value, changed_ = true;
      return;
    }
  }

  void choose_drops() {
    std::vector<uint8_t> listed_kept(n_, 0), listed_dropped(n_, 0);
    for (uint32_t i = 0; i < n_; ++i) {
      const btf::Type t = b_.type(start_ + i);
      if (t.kind() == K(Kind::Datasec)) {
        const bool ok = btf::datasec_valid(b_, t);
        if (!ok) mark(i, &SanitizeStats::datasec_dropped);
        for (uint32_t e = 0; e < t.vlen(); ++e)
          if (const uint32_t v = t.secinfo(e).type; own(v)) (ok ? listed_kept : listed_dropped)[v - start_] = 1;
      } else if (t.kind() == K(Kind::Func)) {
        if (t.name().empty()) {
          mark(i, &SanitizeStats::func_unnamed);
          continue;
        }
        if (kind(t.type()) != K(Kind::FuncProto)) {
          mark(i, &SanitizeStats::func_proto);
          continue;
        }
        const btf::Type p = b_.type(t.type());
        for (uint32_t a = 0; a < p.vlen(); ++a)
          if (!p.param(a).name_off && p.param(a).type) {
            mark(i, &SanitizeStats::func_arg_name);
            break;
          }
      }
    }
    for (uint32_t i = 0; i < n_; ++i)
      if (listed_dropped[i] && !listed_kept[i] && b_.type(start_ + i).kind() == K(Kind::Var))
        mark(i, &SanitizeStats::var_dropped);
  }

  template <typename F>
  void for_each_ref(uint32_t i, F&& f) const {
    const btf::Type t = b_.type(start_ + i);
    btf::for_each_ref_word(t.kind(), t.vlen(), [&](uint32_t w) {
      const uint32_t r = t.word(w);
      if (own(r)) f(r - start_);
    });
  }

  void mark(uint32_t i, uint32_t SanitizeStats::*why) {
    drop_[i] = 1;
    why_[i] = why;
    ++(st_.*why);
  }

  // Keeps i and everything it refers to (iterative). A kept candidate no longer counts
  // under its reason but as kept-referenced.
  void pin(uint32_t i) {
    std::vector<uint32_t> stack{i};
    while (!stack.empty()) {
      const uint32_t x = stack.back();
      stack.pop_back();
      if (pinned_[x]) continue;
      pinned_[x] = 1;
      if (drop_[x]) {
        drop_[x] = 0;
        --(st_.*why_[x]);
        ++st_.kept_referenced;
      }
      for_each_ref(x, [&](uint32_t s) { if (!pinned_[s]) stack.push_back(s); });
    }
  }

  void close_drops() {
    if (st_.dropped() == 0) return;
    std::vector<uint32_t> pstart(n_ + 1, 0), preds;
    for (uint32_t i = 0; i < n_; ++i) for_each_ref(i, [&](uint32_t s) { ++pstart[s + 1]; });
    for (uint32_t i = 0; i < n_; ++i) pstart[i + 1] += pstart[i];
    preds.resize(pstart[n_]);
    std::vector<uint32_t> fill(pstart.begin(), pstart.end() - 1);
    for (uint32_t i = 0; i < n_; ++i) for_each_ref(i, [&](uint32_t s) { preds[fill[s]++] = i; });
    std::vector<uint32_t> work;
    for (uint32_t i = n_; i-- > 0;)
      if (drop_[i]) work.push_back(i);
    while (!work.empty()) {
      const uint32_t d = work.back();
      work.pop_back();
      if (!drop_[d]) continue;
      bool keep = false;
      for (uint32_t k = pstart[d]; k < pstart[d + 1] && !keep; ++k) {
        const uint32_t p = preds[k];
        keep = !drop_[p] && (pinned_[p] || b_.type(start_ + p).kind() != K(Kind::DeclTag));
      }
      if (keep) {
        pin(d);
        continue;
      }
      for (uint32_t k = pstart[d]; k < pstart[d + 1]; ++k)
        if (const uint32_t p = preds[k]; !drop_[p]) {
          mark(p, &SanitizeStats::decl_tag_dropped);
          work.push_back(p);
        }
    }
    // Anonymous types that only dropped types referred to go too (a dropped FUNC's
    // prototype, the pointers only that prototype used, ...): nothing could name them.
    std::vector<uint32_t> live(n_, 0);   // references from kept types
    for (uint32_t i = 0; i < n_; ++i)
      if (!drop_[i]) for_each_ref(i, [&](uint32_t x) { ++live[x]; });
    for (uint32_t i = n_; i-- > 0;)
      if (drop_[i]) work.push_back(i);
    while (!work.empty()) {
      const uint32_t d = work.back();
      work.pop_back();
      for_each_ref(d, [&](uint32_t x) {
        if (drop_[x] || live[x] || !b_.type(start_ + x).name().empty()) return;
        const uint32_t k = b_.type(start_ + x).kind();
        if (k == K(Kind::Int) || k == K(Kind::Float) || k == K(Kind::Datasec) ||
            btf::is_any_enum(k))   // enumerators name constants
          return;
        mark(x, &SanitizeStats::anon_orphan);
        for_each_ref(x, [&](uint32_t y) { if (!drop_[y]) --live[y]; });
        work.push_back(x);
      });
    }
  }

  std::vector<uint8_t> emit() {
    // New ids: kept own types in order, then an added index type when needed.
    btf::Renumbered kept = btf::drop_records(records_, drop_);
    btf::Records& out = kept.records;
    uint32_t index = own(index_type_) ? kept.new_id[index_type_ - start_] : index_type_;
    const bool add_index = !void_index_.empty() && !index;
    if (add_index) index = out.end_id(), ++st_.types_added;
    const uint32_t index_word = btf::ref_word(K(Kind::Array), btf::RefRole::Index);
    for (uint32_t id : void_index_)
      if (const uint32_t now = kept.new_id[id - start_]) out.rec(now)[index_word] = index;
    // Names re-interned from the input's string section in record order; base strings stay.
    const uint32_t str_base = b_.start_str_off();
    btf::StringTable strings(str_base);
    for (uint32_t id = out.start_id; id < out.end_id(); ++id) {
      uint32_t* w = out.rec(id);
      btf::for_each_name_word(btf::info_kind(w[1]), btf::info_vlen(w[1]), [&](uint32_t r) {
        if (w[r] >= str_base) w[r] = strings.add(b_.str_or_empty(w[r]));
      });
    }
    if (add_index) {
      const uint32_t int_t[] = {strings.add("__ARRAY_SIZE_TYPE__"),
                                btf::make_info(K(Kind::Int), 0, false), 4, 32};
      out.add(int_t);
    }
    return btf::write_blob(out.words, strings.data());
  }

  const btf::Btf& b_;
  SanitizeStats& st_;
  const uint32_t start_, n_;
  btf::Records records_;   // the records, fixed in place
  std::vector<uint8_t> drop_, pinned_;
  std::vector<uint32_t SanitizeStats::*> why_;   // the reason of each drop candidate
  std::vector<uint32_t> void_index_;   // ARRAYs whose index word is void
  uint32_t index_type_ = 0;            // an existing regular INT index type, or 0
  bool changed_ = false;
};

}  // namespace

std::vector<uint8_t> sanitize(const btf::Btf& merged, SanitizeStats& stats) {
  return Sanitizer(merged, stats).run();
}

namespace {
struct Reason {
  const char* name;
  uint32_t SanitizeStats::*field;
  bool dropped;
};
constexpr Reason kReasons[] = {
    {"datasec-invalid", &SanitizeStats::datasec_dropped, true},
    {"var-unlisted", &SanitizeStats::var_dropped, true},
    {"func-unnamed", &SanitizeStats::func_unnamed, true},
    {"func-arg-name", &SanitizeStats::func_arg_name, true},
    {"func-proto", &SanitizeStats::func_proto, true},
    {"decl-tag-orphan", &SanitizeStats::decl_tag_dropped, true},
    {"anon-orphan", &SanitizeStats::anon_orphan, true},
    {"fwd-type", &SanitizeStats::fwd_type, false},
    {"int-encoding", &SanitizeStats::int_encoding, false},
    {"array-index", &SanitizeStats::array_index, false},
    {"fwd-by-value", &SanitizeStats::fwd_by_value, false},
};
}  // namespace

std::string SanitizeStats::json() const {
  std::string s = "{";
  for (const Reason& r : kReasons)
    s += "\"" + std::string(r.name) + "\":" + std::to_string(this->*r.field) + ",";
  s += "\"kept-referenced\":" + std::to_string(kept_referenced) +
       ",\"types-added\":" + std::to_string(types_added) + "}";
  return s;
}

std::string SanitizeStats::summary() const {
  auto part = [&](bool dropped) {
    std::string s;
    for (const Reason& r : kReasons)
      if (r.dropped == dropped && this->*r.field)
        s += (s.empty() ? "" : ", ") + std::string(r.name) + " " + std::to_string(this->*r.field);
    return s;
  };
  std::string s = "sanitize: dropped " + std::to_string(dropped());
  if (dropped()) s += " (" + part(true) + ")";
  s += "; fixed " + std::to_string(fixed());
  if (fixed()) s += " (" + part(false) + ")";
  if (kept_referenced) s += "; kept " + std::to_string(kept_referenced) + " referenced";
  if (types_added) s += "; added " + std::to_string(types_added) + " type(s)";
  return s;
}

}  // namespace btfcheck::archive
