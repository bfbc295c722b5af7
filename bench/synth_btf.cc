// Synthetic vmlinux-shaped BTF.
//
// Design: a handful of base types (ints, a float, void*, const char*, typedefs, a
// type-tagged pointer) followed by `groups` groups of exactly kSlots types each, so that
// every group's ids are arithmetic (first + g * kSlots + slot) and a member can point at a
// group that comes later without a second pass. Per group:
//   0 STRUCT s_G    2..11 members: scalars, pointers to any group's struct (forward and
//                   backward, so pointer cycles exist as in a kernel), embedded structs of
//                   earlier groups only (no containment loops), arrays, unions, enums,
//                   function pointers; every fourth struct uses kind_flag bitfields
//   1 PTR -> 0      2 FUNC_PROTO (int ret)      3,4 FUNC (global, static) -> 2
//   5 FUNC_PROTO (void ret, some variadic)      6,7 FUNC -> 5
//   8 FUNC -> the FUNC_PROTO of group g/2 (shared prototypes, as after dedup)
//   9 one of CONST/ARRAY/TYPEDEF/UNION/ENUM/PTR/func PTR/DECL_TAG/FWD/ENUM64 by g % 10
// and finally VARs in one DATASEC. The kind mix (about half FUNC, a fifth FUNC_PROTO, a
// tenth each PTR and STRUCT) follows a 6.x vmlinux. Member layout uses natural alignment,
// and struct sizes are computed, so the resolve pass has real work and finds nothing.
#include "bench/synth_btf.h"

#include <algorithm>
#include <optional>
#include <string>

#include "btf/kinds.h"
#include "btf/strings.h"
#include "btf/write.h"

namespace btfcheck::bench {
namespace {

using btf::Kind;
using btf::make_info;

constexpr uint32_t kSlots = 10;

// Records appended in order, names through the one string interner, one blob writer.
class Writer {
 public:
  uint32_t str(const std::string& s) { return strs_.add(s); }
  uint32_t add(uint32_t name, Kind kind, uint32_t vlen, bool kflag, uint32_t size_or_type,
               const std::vector<uint32_t>& extra = {}) {
    words_.push_back(name);
    words_.push_back(make_info(uint32_t(kind), vlen, kflag));
    words_.push_back(size_or_type);
    words_.insert(words_.end(), extra.begin(), extra.end());
    return next_id_++;
  }
  uint32_t next_id() const { return next_id_; }
  std::vector<uint8_t> bytes() const { return btf::write_blob(words_, strs_.data()); }

 private:
  std::vector<uint32_t> words_;
  btf::StringTable strs_;
  uint32_t next_id_ = 1;
};

struct Rng {
  uint64_t s;
  uint32_t next(uint32_t n) {   // uniform enough in [0, n)
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return uint32_t((s >> 33) % n);
  }
};

struct Scalar { uint32_t id, size; };

}  // namespace

SynthBtf make_synthetic_btf(const SynthOptions& opts) {
  Writer w;
  Rng rng{opts.seed};
  const uint32_t G = std::max<uint32_t>(opts.groups, 1);
  auto int_t = [&](const char* name, uint32_t size, uint32_t enc) {
    return w.add(w.str(name), Kind::Int, 0, false, size, {(enc << 24) | (size * 8)});
  };
  const uint32_t t_int = int_t("int", 4, 1), t_uint = int_t("unsigned int", 4, 0);
  const uint32_t t_long = int_t("long int", 8, 1), t_ulong = int_t("long unsigned int", 8, 0);
  const uint32_t t_char = int_t("char", 1, 1), t_uchar = int_t("unsigned char", 1, 0);
  const uint32_t t_short = int_t("short int", 2, 1);
  const uint32_t t_bool = int_t("_Bool", 1, 4);
  const uint32_t t_double = w.add(w.str("double"), Kind::Float, 0, false, 8);
  const uint32_t t_voidp = w.add(0, Kind::Ptr, 0, false, 0);
  const uint32_t t_u32 = w.add(w.str("u32"), Kind::Typedef, 0, false, t_uint);
  const uint32_t t_u64 = w.add(w.str("u64"), Kind::Typedef, 0, false, t_ulong);
  const uint32_t t_cchar = w.add(0, Kind::Const, 0, false, t_char);
  const uint32_t t_ccharp = w.add(0, Kind::Ptr, 0, false, t_cchar);
  const uint32_t t_vint = w.add(0, Kind::Volatile, 0, false, t_int);
  const uint32_t t_rptr = w.add(0, Kind::Restrict, 0, false, t_ccharp);
  const uint32_t t_user = w.add(w.str("user"), Kind::TypeTag, 0, false, t_char);
  const uint32_t t_userp = w.add(0, Kind::Ptr, 0, false, t_user);
  const Scalar scalars[] = {{t_int, 4},   {t_uint, 4},   {t_long, 8},   {t_ulong, 8},
                            {t_char, 1},  {t_uchar, 1},  {t_short, 2},  {t_bool, 1},
                            {t_double, 8}, {t_voidp, 8}, {t_u32, 4},    {t_u64, 8},
                            {t_ccharp, 8}, {t_vint, 4},  {t_rptr, 8},   {t_userp, 8}};
  constexpr uint32_t kScalars = sizeof scalars / sizeof scalars[0];

  const uint32_t first = w.next_id();
  auto id = [&](uint32_t g, uint32_t slot) { return first + g * kSlots + slot; };
  // The group (with the same g % 10 as `rot`) nearest to a random one, for slot-9 types.
  auto pick_rot = [&](uint32_t rot) -> std::optional<uint32_t> {
    uint32_t h = rng.next(G) / 10 * 10 + rot;
    if (h >= G) h = rot;
    return h < G ? std::optional<uint32_t>(h) : std::nullopt;
  };
  auto array_nelems = [](uint32_t g) { return g % 31 + 1; };
  auto enum_vlen = [](uint32_t g) { return 2 + g % 5; };

  std::vector<uint32_t> struct_size(G), struct_align(G);
  for (uint32_t g = 0; g < G; ++g) {
    const std::string gs = std::to_string(g);
    // --- slot 0: the struct.
    const bool bitfields = g % 4 == 0;
    const uint32_t nmem = 2 + rng.next(10);
    std::vector<uint32_t> mw;   // member words
    uint64_t bit = 0;
    uint32_t align = 1;
    auto place = [&](uint32_t type, uint32_t size, uint32_t al, uint32_t i) {
      bit = (bit + al * 8 - 1) / (al * 8) * (al * 8);
      mw.insert(mw.end(), {w.str("m" + std::to_string(i)), type, uint32_t(bit)});
      bit += uint64_t(size) * 8;
      align = std::max(align, al);
    };
    for (uint32_t i = 0; i < nmem; ++i) {
      const uint32_t r = rng.next(10);
      if (bitfields && i == 1) {   // a run of unsigned-int bitfields in one 32-bit unit
        bit = (bit + 31) / 32 * 32;
        uint32_t used = 0;
        for (uint32_t k = 0; k < 3; ++k, ++i) {
          const uint32_t width = 1 + rng.next(9);
          mw.insert(mw.end(), {w.str("bf" + std::to_string(k)), t_uint,
                               (width << 24) | uint32_t(bit + used)});
          used += width;
        }
        bit += 32;
        align = std::max(align, 4u);
        continue;
      }
      if (r <= 3) {
        const Scalar& s = scalars[rng.next(kScalars)];
        place(s.id, s.size, s.size, i);
      } else if (r == 4) {
        place(id(rng.next(G), 1), 8, 8, i);                   // pointer to any struct
      } else if (r == 5 && g > 0) {
        const uint32_t h = rng.next(g);                       // embedded earlier struct
        place(id(h, 0), struct_size[h], struct_align[h], i);
      } else if (auto h = pick_rot(r == 6 ? 1 : r == 7 ? 7 : r == 8 ? 3 : 4)) {
        switch (r) {
          case 6: place(id(*h, 9), 4 * array_nelems(*h), 4, i); break;   // int[n]
          case 7: place(id(*h, 9), 8, 8, i); break;                      // fn pointer
          case 8: place(id(*h, 9), 8, 8, i); break;                      // union
          default: place(id(*h, 9), 4, 4, i); break;                     // enum
        }
      } else {
        place(t_long, 8, 8, i);
      }
    }
    const uint32_t size = uint32_t((bit / 8 + align - 1) / align * align);
    struct_size[g] = size;
    struct_align[g] = align;
    w.add(w.str("s_" + gs), Kind::Struct, uint32_t(mw.size() / 3), bitfields, size, mw);
    // --- slots 1-8: pointer, prototypes and functions.
    w.add(0, Kind::Ptr, 0, false, id(g, 0));
    std::vector<uint32_t> p1 = {w.str("p"), id(g, 1), w.str("n"), scalars[rng.next(kScalars)].id};
    if (g % 3 == 0) p1.insert(p1.end(), {w.str("flags"), t_u32});
    w.add(0, Kind::FuncProto, uint32_t(p1.size() / 2), false, t_int, p1);
    w.add(w.str("fn_" + gs + "_a"), Kind::Func, 1, false, id(g, 2));
    w.add(w.str("fn_" + gs + "_b"), Kind::Func, 0, false, id(g, 2));
    std::vector<uint32_t> p2 = {w.str("ctx"), id(rng.next(G), 1), w.str("val"), t_u64};
    if (g % 13 == 0) p2.insert(p2.end(), {0, 0});   // variadic
    w.add(0, Kind::FuncProto, uint32_t(p2.size() / 2), false, 0, p2);
    w.add(w.str("fn_" + gs + "_c"), Kind::Func, 1, false, id(g, 5));
    w.add(w.str("fn_" + gs + "_d"), Kind::Func, 0, false, id(g, 5));
    w.add(w.str("fn_" + gs + "_e"), Kind::Func, 1, false, id(g / 2, 2));
    // --- slot 9: the rotating kind.
    switch (g % 10) {
      case 0: case 5: w.add(0, Kind::Const, 0, false, id(g, 1)); break;
      case 1: w.add(0, Kind::Array, 0, false, 0, {t_int, t_uint, array_nelems(g)}); break;
      case 2: w.add(w.str("s_" + gs + "_t"), Kind::Typedef, 0, false, id(g, 0)); break;
      case 3:
        w.add(w.str("u_" + gs), Kind::Union, 3, false, 8,
              {w.str("a"), t_long, 0, w.str("b"), t_voidp, 0, w.str("c"), t_int, 0});
        break;
      case 4: {
        std::vector<uint32_t> ev;
        for (uint32_t k = 0; k < enum_vlen(g); ++k)
          ev.insert(ev.end(), {w.str("E" + gs + "_" + std::to_string(k)), k * 3});
        w.add(w.str("e_" + gs), Kind::Enum, enum_vlen(g), false, 4, ev);
        break;
      }
      case 6: w.add(0, Kind::Ptr, 0, false, id(g, 1)); break;
      case 7: w.add(0, Kind::Ptr, 0, false, id(g, 2)); break;
      case 8: w.add(w.str("tag_" + gs), Kind::DeclTag, 0, false, id(g, 3), {0xffffffffu}); break;
      default:
        if (g % 20 == 9)
          w.add(w.str("e64_" + gs), Kind::Enum64, 2, false, 8,
                {w.str("F" + gs + "_0"), 0, 1, w.str("F" + gs + "_1"), 0xffffffffu, 2});
        else
          w.add(w.str("fwd_" + gs), Kind::Fwd, 0, false, 0);
        break;
    }
  }
  // VARs and their DATASEC.
  std::vector<uint32_t> secinfo;
  for (uint32_t v = 0; v < opts.vars; ++v) {
    const uint32_t vid = w.add(w.str("pcpu_" + std::to_string(v)), Kind::Var, 0, false,
                               t_int, {1});
    secinfo.insert(secinfo.end(), {vid, v * 4, 4});
  }
  if (opts.vars)
    w.add(w.str(".data..percpu"), Kind::Datasec, opts.vars, false, opts.vars * 4, secinfo);

  SynthBtf out;
  out.types = w.next_id() - 1;
  out.bytes = w.bytes();
  return out;
}

}  // namespace btfcheck::bench
