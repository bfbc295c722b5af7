// The common model both sides of the DWARF cross-check are reduced to, so that comparing
// is comparing plain values.
//
// A type *shape* is an ID-free, prefix-notation string that names what a reference means:
//   base/INT/FLOAT   its name                      "unsigned int", "_Bool", "double"
//   void             "void"
//   pointer          "ptr(T)"                      "ptr(const(char))"
//   modifier         "const(T)" "volatile(T)" "restrict(T)"
//   typedef          its name                      "u32"
//   aggregate/enum   "struct foo" "union (anon)" "enum bar"
//   array            "array(N,T)"  (flexible and zero-length arrays: N = 0)
//   function type    "fn(RET;P1,P2,...)"           varargs: last parameter "..."
// Named types stop the recursion (their bodies are checked as definitions); anonymous
// aggregates and enums are checked as nested bodies of the definition that contains them.
//
// A Def is one definition: its key (kind + name), and a list of Bodies — the aggregate or
// enum itself, then every anonymous aggregate/enum reached through its members (or, for a
// typedef, through its target), each with a path ("struct foo.(anon union@64)").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace btfcheck::dwarfcheck::detail {

// Recursion limit for shapes, a cycle guard for malformed input (real C types stay far
// below it): deeper levels print as "…" and such shapes are never cached.
constexpr int kMaxShapeDepth = 48;

struct Field {
  std::string name;          // "" for an anonymous member
  uint64_t bit_offset = 0;   // from the start of its body
  uint32_t bitfield = 0;     // 0 = not a bitfield
  std::string type;          // shape
};

// An enumerator value as the producer wrote it. `bits` is the value's two's-complement
// pattern in 64 bits after extension; when the producer left the signedness open
// (`ambiguous`), `width` is the number of meaningful low bits and both the sign- and the
// zero-extension of those bits are readings of the value.
struct Value {
  uint64_t bits = 0;
  uint8_t width = 64;
  bool ambiguous = false;
};

struct Enumerator {
  std::string name;
  Value value;
};

struct Body {
  std::string path;          // "struct foo", "struct foo.(anon union@64)", "typedef bar"
  char kind = 's';           // 's' struct, 'u' union, 'e' enum
  uint64_t size = 0;         // bytes
  std::vector<Field> fields;
  std::vector<Enumerator> values;
};

enum class DefKind : uint8_t { Struct, Union, Enum, Typedef };

struct Def {
  DefKind kind = DefKind::Struct;
  std::string name;          // anonymous enums: "(anon:FIRST_ENUMERATOR)"
  bool declaration = false;  // DWARF declaration only (struct foo;): FWD or a definition
  std::string target;        // typedef: shape of the target
  std::vector<Body> bodies;  // empty for declarations and typedefs of named types
};

struct FuncSig {
  std::string ret;                   // shape
  std::vector<std::string> params;   // shapes
  std::vector<std::string> names;    // parameter names (for messages)
  bool varargs = false;
};

// The lookup key of a definition: "struct foo", "enum (anon:A)", "typedef u32".
std::string def_key(DefKind kind, const std::string& name);
// "fn(RET;P1,P2,...)", the shape of a signature.
std::string sig_text(const FuncSig& s);
bool same_sig(const FuncSig& a, const FuncSig& b);
std::string value_text(const Value& v);

// Values compare equal when some reading of one equals some reading of the other.
bool values_agree(const Value& a, const Value& b);

}  // namespace btfcheck::dwarfcheck::detail
