// pahole master's "uncertain parameter location" (uncertain_parm_loc, --compat=pahole-master):
// a function with at least as many parameters as the target passes in registers, one of
// whose parameters past those is a named struct (its own DW_AT_type, no typedef) that pahole
// infers packed, is skipped: where such a struct sits on the stack is uncertain.
//
// The inference is pahole's (dwarves.c class__infer_packed_attributes, class__find_holes,
// tag__natural_alignment; dwarf_loader.c class_member__cache_byte_size), reproduced with its
// quirks: a struct with holes or padding is not packed, but marks the member structs it holds
// at offsets unnatural for them packed; one without is packed when a member is at an offset
// its natural alignment does not divide, or its size is no multiple of its largest natural
// alignment (a `long long` member on i386: struct timespec64 is "packed" there). What pahole
// once inferred about a struct holds for the rest of its CU, side effects included, so the
// state lives per unit, and functions are asked in DIE order as pahole does.
#pragma once

#include <elfutils/libdw.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace btfcheck::encode {

// pahole's arch__nr_register_params (0: the target is not known to it; i386 is not).
unsigned pahole_register_params(uint16_t machine);

class PackedInference {
 public:
  PackedInference(bool little_endian, unsigned register_params)
      : little_endian_(little_endian), regs_(register_params) {}
  // A new CU (its address size): nothing inferred yet.
  void new_unit(uint8_t addr_size) {
    addr_size_ = addr_size;
    classes_.clear();
    natural_.clear();
  }
  // Why pahole master finds the parameter locations of subprogram `fn` uncertain, or "".
  std::string uncertain(Dwarf_Die* fn);

 private:
  struct Member {
    bool is_static = false;
    uint32_t bit_offset = 0, bit_size = 0, byte_offset = 0;
    uint64_t byte_size = 0;
    int8_t bitfield_offset = 0;
    uint8_t bitfield_size = 0;
    Dwarf_Die type{};        // stripped of typedefs and modifiers
    bool has_type = false;
  };
  struct Class {
    bool inferred = false, packed = false;
  };
  std::vector<Member> members(Dwarf_Die* cls);
  bool infer(Dwarf_Die* cls);
  void mark_unnatural_members(std::vector<Member>& ms);
  uint64_t size_of(Dwarf_Die* t, int depth);
  size_t natural_alignment(Dwarf_Die* t, int depth);

  uint8_t addr_size_ = 8;
  bool little_endian_;
  unsigned regs_;
  std::unordered_map<uint64_t, Class> classes_;      // by struct DIE offset
  std::unordered_map<uint64_t, uint16_t> natural_;   // type__natural_alignment's cache
};

}  // namespace btfcheck::encode
