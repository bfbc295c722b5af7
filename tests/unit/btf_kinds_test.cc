// The kind table (btf/kinds.h): every class predicate against the kind lists of the
// kernel's and libbpf's sources, spelled out here independently of the table, and every
// reference, name and entry word against the record layouts of include/uapi/linux/btf.h.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "btf/kinds.h"

namespace btfcheck {
namespace {

using btf::Kind;
using btf::RefRole;

std::set<Kind> members(bool (*pred)(uint32_t)) {
  std::set<Kind> out;
  for (uint32_t k = 0; k <= 31; ++k)
    if (pred(k)) out.insert(Kind(k));
  return out;
}

TEST(KindClasses, EachPredicateIsItsKindList) {
  using S = std::set<Kind>;
  // C's qualifiers; libbpf's btf_is_mod; the kernel's btf_type_is_modifier.
  EXPECT_EQ(members(btf::is_qualifier<uint32_t>),
            (S{Kind::Const, Kind::Volatile, Kind::Restrict}));
  EXPECT_EQ(members(btf::is_modifier<uint32_t>),
            (S{Kind::Const, Kind::Volatile, Kind::Restrict, Kind::TypeTag}));
  EXPECT_EQ(members(btf::is_modifier_or_typedef<uint32_t>),
            (S{Kind::Const, Kind::Volatile, Kind::Restrict, Kind::TypeTag, Kind::Typedef}));
  EXPECT_EQ(members(btf::is_composite<uint32_t>), (S{Kind::Struct, Kind::Union}));
  EXPECT_EQ(members(btf::is_any_enum<uint32_t>), (S{Kind::Enum, Kind::Enum64}));
  // btf_type_has_size, btf_type_nosize (kind 0: void), resolve sources.
  EXPECT_EQ(members(btf::has_size_word<uint32_t>),
            (S{Kind::Int, Kind::Struct, Kind::Union, Kind::Enum, Kind::Enum64, Kind::Datasec,
               Kind::Float}));
  EXPECT_EQ(members(btf::is_sized<uint32_t>),
            (S{Kind::Int, Kind::Ptr, Kind::Array, Kind::Struct, Kind::Union, Kind::Enum,
               Kind::Enum64, Kind::Datasec, Kind::Float}));
  EXPECT_EQ(members(btf::is_nosize<uint32_t>),
            (S{Kind::Unkn, Kind::Fwd, Kind::Func, Kind::FuncProto}));
  EXPECT_EQ(members(btf::is_declaration<uint32_t>),
            (S{Kind::Func, Kind::Var, Kind::Datasec, Kind::DeclTag}));
  EXPECT_EQ(members(btf::is_source_only<uint32_t>),
            (S{Kind::Var, Kind::Datasec, Kind::DeclTag}));
  // btf_type_needs_resolve.
  EXPECT_EQ(members(btf::needs_resolve<uint32_t>),
            (S{Kind::Typedef, Kind::Volatile, Kind::Const, Kind::Restrict, Kind::TypeTag, Kind::Ptr,
               Kind::Struct, Kind::Union, Kind::Array, Kind::Var, Kind::Func, Kind::DeclTag,
               Kind::Datasec}));
  // The same answers for a Kind as for its number.
  EXPECT_TRUE(btf::is_qualifier(Kind::Const));
  EXPECT_FALSE(btf::is_modifier(Kind::Typedef));
  EXPECT_TRUE(btf::is_modifier_or_typedef(Kind::Typedef));
}

TEST(KindClasses, NameRoles) {
  std::set<Kind> none, type, tag;
  for (uint32_t k = 1; k <= btf::kMaxKnownKind; ++k) {
    switch (btf::name_role(k)) {
      case btf::NameRole::None: none.insert(Kind(k)); break;
      case btf::NameRole::Type: type.insert(Kind(k)); break;
      case btf::NameRole::Tag: tag.insert(Kind(k)); break;
    }
  }
  using S = std::set<Kind>;
  EXPECT_EQ(none, (S{Kind::Ptr, Kind::Array, Kind::Const, Kind::Volatile, Kind::Restrict,
                     Kind::FuncProto}));
  EXPECT_EQ(tag, (S{Kind::DeclTag, Kind::TypeTag}));
  EXPECT_EQ(type.size(), 11u);
}

// (word, role, entry) of every reference of a record with vlen 2.
std::vector<std::tuple<uint32_t, RefRole, uint32_t>> refs(Kind k) {
  std::vector<std::tuple<uint32_t, RefRole, uint32_t>> out;
  btf::for_each_ref(uint32_t(k), 2,
                    [&](uint32_t w, RefRole r, uint32_t e) { out.push_back({w, r, e}); });
  return out;
}

TEST(KindLayout, ReferencesWhereUapiPutsThem) {
  using V = std::vector<std::tuple<uint32_t, RefRole, uint32_t>>;
  for (Kind k : {Kind::Ptr, Kind::Typedef, Kind::Volatile, Kind::Const, Kind::Restrict,
                 Kind::Func, Kind::Var, Kind::DeclTag, Kind::TypeTag})
    EXPECT_EQ(refs(k), (V{{2, RefRole::Target, 0}})) << btf::kind_name(uint32_t(k));
  for (Kind k : {Kind::Int, Kind::Enum, Kind::Fwd, Kind::Float, Kind::Enum64})
    EXPECT_TRUE(refs(k).empty()) << btf::kind_name(uint32_t(k));
  EXPECT_EQ(refs(Kind::Array), (V{{3, RefRole::Element, 0}, {4, RefRole::Index, 0}}));
  // struct btf_member {name_off, type, offset}; btf_param {name_off, type};
  // btf_var_secinfo {type, offset, size}.
  EXPECT_EQ(refs(Kind::Struct), (V{{4, RefRole::Member, 0}, {7, RefRole::Member, 1}}));
  EXPECT_EQ(refs(Kind::FuncProto),
            (V{{2, RefRole::Return, 0}, {4, RefRole::Param, 0}, {6, RefRole::Param, 1}}));
  EXPECT_EQ(refs(Kind::Datasec), (V{{3, RefRole::SecVar, 0}, {6, RefRole::SecVar, 1}}));
  EXPECT_EQ(btf::leading_refs(uint32_t(Kind::FuncProto)), 1u);
  EXPECT_EQ(btf::leading_refs(uint32_t(Kind::Struct)), 0u);
  EXPECT_EQ(btf::ref_word(uint32_t(Kind::Array), RefRole::Index), 4u);
  EXPECT_EQ(btf::ref_word(uint32_t(Kind::Int), RefRole::Index), 0u);
}

TEST(KindLayout, EntryAndNameWords) {
  // btf_enum {name_off, val}; btf_enum64 {name_off, val_lo32, val_hi32}.
  EXPECT_EQ(btf::entry_name_word(uint32_t(Kind::Enum), 1), 5u);
  EXPECT_EQ(btf::entry_name_word(uint32_t(Kind::Enum64), 1), 6u);
  EXPECT_EQ(btf::entry_word(uint32_t(Kind::Datasec), 2), 9u);
  EXPECT_EQ(btf::entry_ref_word(uint32_t(Kind::Union), 1), 7u);
  std::vector<uint32_t> names;
  btf::for_each_name_word(uint32_t(Kind::FuncProto), 2, [&](uint32_t w) { names.push_back(w); });
  EXPECT_EQ(names, (std::vector<uint32_t>{0, 3, 5}));
}

TEST(KindLayout, EveryWordHasOneRole) {
  for (uint32_t k = 1; k <= btf::kMaxKnownKind; ++k) {
    std::vector<uint32_t> seen, refs_by_role, refs_by_ref;
    btf::for_each_word(k, 3, [&](uint32_t w, btf::WordRole r) {
      seen.push_back(w);
      if (r == btf::WordRole::Ref) refs_by_role.push_back(w);
    });
    btf::for_each_ref_word(k, 3, [&](uint32_t w) { refs_by_ref.push_back(w); });
    ASSERT_EQ(seen.size(), btf::record_words(k, 3)) << btf::kind_name(k);
    for (uint32_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i) << btf::kind_name(k);
    EXPECT_EQ(refs_by_role, refs_by_ref) << btf::kind_name(k);
  }
}

}  // namespace
}  // namespace btfcheck
