// Helpers shared by the verify_*_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "btf_builder.h"
#include "comparator/verify/verify.h"

namespace btfcheck::testing {

// Parse + verify; a framing error becomes the only violation. `target`: what a container or
// --target would give (none: the BTF's own long decides).
inline verify::Report check(const Image& img, std::shared_ptr<const btf::Btf> base = nullptr,
                            const verify::Options& opts = {},
                            std::optional<btf::Target> target = std::nullopt) {
  return verify::verify_bytes(
      img.bytes, btf::ParseOptions{"test.btf", "", std::move(base), std::move(target)}, opts);
}

inline std::string dump(const verify::Report& r) {
  return verify::format_text(r, "test.btf", "");
}

inline bool has(const verify::Report& r, const std::string& rule, uint32_t type_id) {
  return std::any_of(r.violations.begin(), r.violations.end(), [&](const verify::Violation& v) {
    return v.rule == rule && v.type_id == type_id;
  });
}

inline size_t count_rule(const verify::Report& r, const std::string& rule) {
  return size_t(std::count_if(r.violations.begin(), r.violations.end(),
                              [&](const verify::Violation& v) { return v.rule == rule; }));
}

// A valid base BTF using every kind, with the ids of interesting types.
struct AllKinds {
  BtfBuilder b;
  uint32_t i32, u8, i128, chr, ptr_void, arr, s, u, e, e64, fwd, td, vol, cst, rst, proto, func,
      var, var2, sec, flt, tag_struct, tag_param, ttag, ptr_tagged, list, list_ptr, kf, vproto,
      td_void, cst_fwd, fn_td, anon;
};

inline AllKinds all_kinds() {
  AllKinds k;
  BtfBuilder& b = k.b;
  k.i32 = b.add_int("int", 4, 32, kIntSigned);
  k.u8 = b.add_int("unsigned char", 1, 8, kIntChar);
  k.i128 = b.add_int("__int128", 16, 128, kIntSigned);
  k.chr = b.add_int("_Bool", 1, 8, kIntBool);
  k.ptr_void = b.add_ptr(0);
  k.arr = b.add_array(k.u8, k.i32, 16);
  k.list_ptr = b.add_ptr(b.next_id() + 1);  // struct list { struct list *next; }
  k.list = b.add_struct("list", 8, {{"next", k.list_ptr, 0}});
  k.s = b.add_struct("s", 56, {{"a", k.i32, 0}, {"b", k.arr, 32}, {"c", k.i128, 192},
                               {"next", k.list_ptr, 320}, {"", k.u8, 384}});
  k.u = b.add_union("u", 16, {{"x", k.i32, 0}, {"y", k.i128, 0}});
  k.e = b.add_enum("e", 4, {{"A", 0}, {"B", -1}}, true);
  k.e64 = b.add_enum64("e64", 8, {{"BIG", int64_t(1) << 40}});
  k.fwd = b.add_fwd("opaque", false);
  k.td = b.add_typedef("int_t", k.i32);
  k.vol = b.add_volatile(k.td);
  k.cst = b.add_const(k.vol);
  k.rst = b.add_restrict(k.ptr_void);
  k.proto = b.add_func_proto(k.i32, {{"x", k.cst}, {"p", k.rst}});
  k.func = b.add_func("f", k.proto, kFuncGlobal);
  k.vproto = b.add_func_proto(0, {{"fmt", k.ptr_void}, {"", 0}});
  k.var = b.add_var("v", k.s, kVarGlobal);
  k.var2 = b.add_var("counter", k.td, kVarStatic);
  k.sec = b.add_datasec(".data", 64, {{k.var, 0, 56}, {k.var2, 56, 4}});
  k.flt = b.add_float("double", 8);
  k.tag_struct = b.add_decl_tag("tagged", k.s, 1);
  k.tag_param = b.add_decl_tag("arg", k.func, 0);
  k.ttag = b.add_type_tag("user", k.cst);
  k.ptr_tagged = b.add_ptr(k.ttag);
  k.kf = b.add_struct("bits", 16, {{"lo", k.i32, 0, 3}, {"hi", k.i32, 3, 29}, {"e", k.e, 32, 4},
                                   {"f", k.flt, 64, 0}}, true);
  k.td_void = b.add_typedef("void_t", 0);
  k.cst_fwd = b.add_const(k.fwd);
  k.fn_td = b.add_typedef("fn_t", k.proto);
  k.anon = b.add_struct("", 4, {{"z", k.e, 0}});
  return k;
}

}  // namespace btfcheck::testing
