// Pass 1: per-record checks (btf_check_all_metas, btf_check_meta and the kinds'
// *_check_meta), in id order over the blob's own types.
//
// These checks look at one record at a time: reserved info bits, name offsets and name
// syntax, vlen/kind_flag that must be zero, INT encoding words, ARRAY/STRUCT/DATASEC
// fields, enum and float sizes, linkage values, references that must not be void or beyond
// BTF_MAX_TYPE. Whether a reference exists, and everything that needs the referenced type,
// is pass 2 (resolve.cc). The kernel returns at the first problem; here every check of every
// record runs, and only a check that cannot be evaluated (a name at an invalid offset) is
// skipped. Record framing (kind known, trailing data fits) was checked by Btf::parse.
#include <cstdio>
#include <string>

#include "btf/datasec.h"
#include "comparator/verify/internal.h"

namespace btfcheck::verify::detail {
namespace {

std::string n(uint64_t v) { return std::to_string(v); }

enum class NamePolicy {
  Any,              // INT, FLOAT: any text (e.g. "unsigned int")
  Forbidden,        // PTR, CONST, VOLATILE, RESTRICT, ARRAY, FUNC_PROTO
  OptionalIdent,    // STRUCT/UNION/ENUM names, member names
  RequiredIdent,    // TYPEDEF, FWD, FUNC, enumerators
  VarIdent,         // VAR: RequiredIdent, but '.' allowed by legacy rules too
  RequiredValue,    // TYPE_TAG: any non-empty text
  RequiredSection,  // DATASEC
};

class MetaChecker {
 public:
  MetaChecker(const btf::Btf& btf, const Options& opts, Sink& sink)
      : btf_(btf), opts_(opts), sink_(sink) {}

  void run() {
    bool count_reported = false;
    for (uint32_t id = btf_.start_id(); id < btf_.type_count(); ++id) {
      const btf::Type t = btf_.type(id);
      if (id >= kMaxType && !count_reported) {
        sink_.type("type.count", t, t.offset(),
                   "Exceeded max num of types: ids must stay below BTF_MAX_TYPE (" + n(kMaxType) +
                       "), this BTF has " + n(btf_.type_count() - 1));
        count_reported = true;
      }
      check(t);
    }
  }

 private:

  // `what` names the thing in messages ("name", "member name", ...). The offset of a type's
  // own name was checked by the caller (name_valid_); member names are checked here.
  void check_name(const btf::Type& t, uint32_t name_off, uint64_t at, std::optional<uint32_t> idx,
                  NamePolicy p, std::string_view what) {
    if (p == NamePolicy::Any) return;
    constexpr std::string_view prefix = "Invalid name: ";
    if (p == NamePolicy::Forbidden) {
      if (name_off)
        sink_.at("name.forbidden", t, idx, at,
               std::string(prefix) + std::string(t.kind_name()) + " must be anonymous but has name_off " +
                   n(name_off) +
                   (name_offset_valid(btf_, name_off) ? " " + quoted(name_at(btf_, name_off)) : ""));
      return;
    }
    if (name_off == 0) {
      if (p != NamePolicy::OptionalIdent)
        sink_.at("name.required", t, idx, at, std::string(prefix) + std::string(what) + " is required");
      return;
    }
    if (!name_offset_valid(btf_, name_off)) {
      if (idx)  // a type's own name offset is reported once, by check()
        sink_.at("name.offset", t, idx, at, "Invalid " + std::string(what) + " name_offset:" + n(name_off));
      return;
    }
    const std::string_view s = name_at(btf_, name_off);
    const bool section = p == NamePolicy::RequiredSection;
    // 6.9-6.10 never look at a DATASEC name's first byte, its NUL included.
    const bool unchecked_first = section && opts_.section_names == SectionNames::PrintableTail;
    if (s.empty() && p != NamePolicy::OptionalIdent && !unchecked_first) {
      sink_.at("name.required", t, idx, at, std::string(prefix) + std::string(what) + " is empty");
      return;
    }
    if (p == NamePolicy::RequiredValue) return;
    const bool ok = section ? valid_section_name(btf_, name_off, opts_)
                            : valid_identifier(s, opts_, p == NamePolicy::VarIdent);
    if (!ok)
      sink_.at("name.invalid", t, idx, at,
             std::string(prefix) + std::string(what) + " " + quoted(s) +
                 (p == NamePolicy::RequiredSection ? " is not a valid section name"
                                                   : " is not a valid identifier"));
  }

  void vlen_zero(const btf::Type& t) {
    if (t.vlen()) sink_.type("type.vlen", t, word_off(t, 1), "vlen != 0 (vlen " + n(t.vlen()) + ")");
  }
  void kflag_zero(const btf::Type& t) {
    if (t.kflag()) sink_.type("type.kflag", t, word_off(t, 1), "Invalid btf_info kind_flag");
  }
  // A reference word that must be a non-void id <= BTF_MAX_TYPE.
  void ref_nonvoid(const btf::Type& t, uint32_t id, uint64_t at, std::optional<uint32_t> idx,
                   std::string_view what) {
    if (id == 0)
      sink_.at("ref.void", t, idx, at, std::string(what) + ": type id 0 (void) is not allowed here");
    else
      ref_range(t, id, at, idx, what);
  }
  void ref_range(const btf::Type& t, uint32_t id, uint64_t at, std::optional<uint32_t> idx,
                 std::string_view what) {
    if (id > kMaxType)
      sink_.at("ref.range", t, idx, at,
             std::string(what) + ": type id " + n(id) + " exceeds BTF_MAX_TYPE (" + n(kMaxType) + ")");
  }

  void check(const btf::Type& t) {
    if (opts_.info == btf::InfoFormat::Classic && (t.info() & ~kInfoMask)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%x", t.info());
      sink_.type("type.info-reserved", t, word_off(t, 1), std::string("Invalid btf_info:") + buf);
    }
    name_valid_ = name_offset_valid(btf_, t.name_off());
    if (!name_valid_)
      sink_.type("name.offset", t, word_off(t, 0), "Invalid name_offset:" + n(t.name_off()));
    auto own_name = [&](NamePolicy p) {
      if (name_valid_ || p == NamePolicy::Forbidden) check_name(t, t.name_off(), word_off(t, 0), {}, p, "name");
    };

    // PTR, TYPEDEF and the modifiers share btf_ref_type_check_meta.
    if (t.kind() == K(Kind::Ptr) || is_modifier_or_typedef(t.kind())) {
      const bool tag = t.kind() == K(Kind::TypeTag);
      vlen_zero(t);
      if (!tag || opts_.strict_tag_kflag) kflag_zero(t);
      ref_range(t, t.type(), word_off(t, 2), {}, "Invalid type_id");
      own_name(t.kind() == K(Kind::Typedef) ? NamePolicy::RequiredIdent
               : tag                         ? NamePolicy::RequiredValue
                                             : NamePolicy::Forbidden);
      return;
    }
    switch (static_cast<Kind>(t.kind())) {
      case Kind::Int: {
        vlen_zero(t);
        kflag_zero(t);
        const uint32_t data = t.int_data();
        char buf[16];
        std::snprintf(buf, sizeof buf, "%x", data);
        if (data & ~kIntMask)
          sink_.type("int.reserved", t, word_off(t, 3), std::string("Invalid int_data:") + buf);
        const uint32_t bits = t.int_bits() + t.int_offset();
        if (bits > 128)
          sink_.type("int.bits", t, word_off(t, 3), "nr_bits exceeds 128: bits " + n(t.int_bits()) +
                                                       " + offset " + n(t.int_offset()));
        else if ((bits + 7) / 8 > t.size())
          sink_.type("int.size", t, word_off(t, 3), "nr_bits exceeds type_size: " + n(bits) +
                                                       " bits in " + n(t.size()) + " bytes");
        const uint32_t enc = t.int_encoding();
        if (enc != 0 && enc != 1 && enc != 2 && enc != 4)
          sink_.type("int.encoding", t, word_off(t, 3), "Unsupported encoding: " + n(enc));
        return;
      }
      case Kind::Array: {
        own_name(NamePolicy::Forbidden);
        vlen_zero(t);
        kflag_zero(t);
        if (t.size()) sink_.type("array.size", t, word_off(t, 2), "size != 0 (size " + n(t.size()) + ")");
        ref_nonvoid(t, t.array().type, word_off(t, btf::ref_word(t.kind(), btf::RefRole::Element)),
                    {}, "Invalid elem");
        ref_nonvoid(t, t.array().index_type, word_off(t, btf::ref_word(t.kind(), btf::RefRole::Index)),
                    {}, "Invalid index");
        return;
      }
      case Kind::Struct:
      case Kind::Union:
        return check_struct(t, own_name);
      case Kind::Enum:
      case Kind::Enum64: {
        const uint32_t sz = t.size();
        if (sz > 8 || sz == 0 || (sz & (sz - 1)))
          sink_.type("enum.size", t, word_off(t, 2), "Unexpected size: " + n(sz) +
                                                        " (a power of 2, at most 8)");
        own_name(NamePolicy::OptionalIdent);
        for (uint32_t i = 0; i < t.vlen(); ++i) {
          const uint64_t at = word_off(t, btf::entry_name_word(t.kind(), i));
          const uint32_t name_off = t.word(btf::entry_name_word(t.kind(), i));
          if (!name_offset_valid(btf_, name_off))
            sink_.member("name.offset", t, i, at, "Invalid name_offset:" + n(name_off));
          else
            check_name(t, name_off, at, i, NamePolicy::RequiredIdent, "enumerator name");
        }
        return;
      }
      case Kind::Fwd:
        vlen_zero(t);
        if (t.type()) sink_.type("fwd.type", t, word_off(t, 2), "type != 0 (" + n(t.type()) + ")");
        own_name(NamePolicy::RequiredIdent);
        return;
      case Kind::Func:
        own_name(NamePolicy::RequiredIdent);
        if (t.vlen() > 1)
          sink_.type("func.linkage", t, word_off(t, 1),
                     "Invalid func linkage: " + n(t.vlen()) + " (only static 0 and global 1)");
        kflag_zero(t);
        return;
      case Kind::FuncProto:
        own_name(NamePolicy::Forbidden);
        kflag_zero(t);
        return;
      case Kind::Var:
        vlen_zero(t);
        kflag_zero(t);
        own_name(NamePolicy::VarIdent);
        ref_nonvoid(t, t.type(), word_off(t, 2), {}, "Invalid type_id");
        if (t.var_linkage() > 1)
          sink_.type("var.linkage", t, word_off(t, 3),
                     "Linkage not supported: " + n(t.var_linkage()) +
                         " (only static 0 and global allocated 1)");
        return;
      case Kind::Datasec:
        return check_datasec(t, own_name);
      case Kind::Float:
        vlen_zero(t);
        kflag_zero(t);
        if (t.size() != 2 && t.size() != 4 && t.size() != 8 && t.size() != 12 && t.size() != 16)
          sink_.type("float.size", t, word_off(t, 2), "Invalid type_size: " + n(t.size()));
        return;
      case Kind::DeclTag:
        if (name_valid_ && name_at(btf_, t.name_off()).empty())
          sink_.type("decl_tag.value", t, word_off(t, 0), "Invalid value: the tag text is empty");
        vlen_zero(t);
        if (opts_.strict_tag_kflag) kflag_zero(t);
        if (t.decl_tag_component() < -1)
          sink_.type("decl_tag.component", t, word_off(t, 3),
                     "Invalid component_idx: " + std::to_string(t.decl_tag_component()));
        return;
      default:
        return;  // unknown kinds stop Btf::parse
    }
  }

  template <typename OwnName>
  void check_struct(const btf::Type& t, OwnName& own_name) {
    const bool is_union = t.kind() == K(Kind::Union);
    own_name(NamePolicy::OptionalIdent);
    uint32_t last = 0;
    for (uint32_t i = 0; i < t.vlen(); ++i) {
      const btf::Type::Member m = t.member(i);
      const uint64_t at_name = word_off(t, btf::entry_name_word(t.kind(), i));
      if (!name_offset_valid(btf_, m.name_off))
        sink_.member("name.offset", t, i, at_name, "Invalid member name_offset:" + n(m.name_off));
      else
        check_name(t, m.name_off, at_name, i, NamePolicy::OptionalIdent, "member name");
      ref_nonvoid(t, m.type, word_off(t, btf::entry_ref_word(t.kind(), i)), i, "Invalid type_id");
      const uint32_t off = t.member_bit_offset(i);
      const uint64_t at = word_off(t, btf::entry_word(t.kind(), i) + 2);   // the offset word
      if (is_union && off)
        sink_.member("struct.union-offset", t, i, at,
                     "Invalid member bits_offset: union member at bit " + n(off) + ", must be 0");
      if (last > off)
        sink_.member("struct.member-order", t, i, at,
                     "Invalid member bits_offset: " + n(off) + " is below the previous member's " + n(last));
      if ((uint64_t(off) + 7) / 8 > t.size())
        sink_.member("struct.member-offset", t, i, at,
                     "Member bits_offset exceeds its struct size: bit " + n(off) + " in a " +
                         n(t.size()) + "-byte " + std::string(t.kind_name()));
      last = off;
    }
  }

  template <typename OwnName>
  void check_datasec(const btf::Type& t, OwnName& own_name) {
    kflag_zero(t);
    own_name(NamePolicy::RequiredSection);
    for (uint32_t i = 0; i < t.vlen(); ++i)
      ref_nonvoid(t, t.secinfo(i).type, word_off(t, btf::entry_ref_word(t.kind(), i)), i,
                  "Invalid type_id");
    btf::check_datasec_layout(t, [&](const btf::DatasecIssue& e) {
      std::string msg;
      switch (e.rule) {
        case btf::DatasecRule::Size: msg = "size == 0"; break;
        case btf::DatasecRule::Overlap:
          msg = "Invalid offset: " + n(e.value) + " overlaps the previous entry, which ends at " +
                n(e.bound);
          break;
        case btf::DatasecRule::Offset:
          msg = "Invalid offset: " + n(e.value) + " is not below the section size " + n(e.bound);
          break;
        case btf::DatasecRule::EntrySize:
          msg = "Invalid size: " + n(e.value) + " (must be 1.." + n(e.bound) + ")";
          break;
        case btf::DatasecRule::End:
          msg = "Invalid offset+size: entry ends at " + n(e.value) + ", past the section size " +
                n(e.bound);
          break;
        case btf::DatasecRule::Sum:
          msg = "Invalid btf_info size: entries add up to " + n(e.value) +
                " bytes, section size is " + n(e.bound);
          break;
      }
      sink_.at(btf::rule_id(e.rule), t, e.entry, word_off(t, e.word), std::move(msg));
    });
  }

  const btf::Btf& btf_;
  const Options& opts_;
  Sink& sink_;
  bool name_valid_ = true;
};

}  // namespace

void check_metas(const btf::Btf& btf, const Options& opts, Sink& sink) {
  MetaChecker(btf, opts, sink).run();
}

}  // namespace btfcheck::verify::detail
