// Plumbing shared by the verifier's passes; not a public header (use verify.h).
//
// Passes, in the kernel's order (each reports into a Sink and never stops early):
//   header.cc     btf_parse_hdr + btf_check_sec_info + btf_parse_str_sec + size caps
//   meta.cc       btf_check_all_metas: per-record checks in id order (pass 1)
//   resolve.cc    btf_check_all_types: the resolve DFS, array/DATASEC/DECL_TAG checks,
//                 FUNC and FUNC_PROTO checks (pass 2); members.cc places struct members
//   type_tags.cc  btf_check_type_tags: tags before modifiers, chain length
//   layout.cc     btf_parse_layout_sec (bpf-next) and the layout's entries
// names.cc holds the string-section lookups and the kernel's name syntax.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "btf/btf.h"
#include "btf/kinds.h"
#include "comparator/verify/verify.h"

namespace btfcheck::verify::detail {

constexpr uint32_t kMaxType = 0x000fffff;        // BTF_MAX_TYPE
constexpr uint32_t kMaxNameOffset = 0x00ffffff;  // BTF_MAX_NAME_OFFSET
constexpr uint32_t kInfoMask = 0x9f00ffff;       // BTF_INFO_MASK (classic info word)
constexpr uint32_t kIntMask = 0x0fffffff;        // BTF_INT_MASK

using btf::Kind;
inline constexpr uint32_t K(Kind k) { return static_cast<uint32_t>(k); }

// Kind classes of kernel/bpf/btf.c are btf/kinds.h's; kind 0 stands for void (type id 0).
using btf::has_size_word;
using btf::is_any_enum;
using btf::is_composite;
using btf::is_modifier_or_typedef;
using btf::is_nosize;
using btf::is_source_only;
using btf::needs_resolve;

inline uint64_t word_off(const btf::Type& t, uint64_t w) { return t.offset() + 4 * w; }

// Collects violations. Quiet mode drops them (used while resolving a split BTF's base).
class Sink {
 public:
  explicit Sink(std::vector<Violation>& out) : out_(out) {}
  void set_quiet(bool q) { quiet_ = q; }
  bool quiet() const { return quiet_; }

  void header(std::string_view rule, uint64_t offset, std::string message);
  void type(std::string_view rule, const btf::Type& t, uint64_t offset, std::string message);
  void member(std::string_view rule, const btf::Type& t, uint32_t index, uint64_t offset,
              std::string message);
  // member() when `index` is given, type() otherwise.
  void at(std::string_view rule, const btf::Type& t, std::optional<uint32_t> index,
          uint64_t offset, std::string message) {
    if (index) member(rule, t, *index, offset, std::move(message));
    else type(rule, t, offset, std::move(message));
  }

 private:
  std::vector<Violation>& out_;
  bool quiet_ = false;
};

// --- names.cc ---------------------------------------------------------------------------
// btf_name_offset_valid: <= BTF_MAX_NAME_OFFSET and inside the (base's or own) string data.
bool name_offset_valid(const btf::Btf& btf, uint32_t off);
// The string at a valid offset, up to its NUL or the end of its string section.
std::string_view name_at(const btf::Btf& btf, uint32_t off);
// btf_name_valid_identifier (dot_ok: a VAR name, which allowed '.' before 6.4 too) and
// btf_name_valid_section (the name at valid offset `off`, by opts.section_names), with the
// kernel's Latin-1 ctype.
bool valid_identifier(std::string_view s, const Options& opts, bool dot_ok = false);
bool valid_section_name(const btf::Btf& btf, uint32_t off, const Options& opts);
// 'text' for messages: quoted, non-printable bytes escaped, long names shortened.
std::string quoted(std::string_view s);
// "[12] STRUCT 'foo'" for messages.
std::string describe(const btf::Btf& btf, uint32_t id);

// --- members.cc ---------------------------------------------------------------------------
// btf_type_int_is_regular: no bit offset, whole bytes, 1/2/4/8/16 of them.
bool int_is_regular(const btf::Type& t);
// "member #2 'name'" for messages.
std::string member_label(const btf::Btf& btf, const btf::Type& s, uint32_t i);
// Placement of member i of STRUCT/UNION `s` whose type resolved to `mt` (INT, ENUM, ENUM64,
// PTR, ARRAY, STRUCT, UNION or FLOAT; `array_size` is an ARRAY's resolved size): the kinds'
// check_member / check_kflag_member. Returns false for a kind that cannot be a member.
bool check_member_placement(const btf::Btf& btf, const Options& opts, Sink& sink,
                            const btf::Type& s, uint32_t i, const btf::Type& mt,
                            uint32_t array_size);

// --- passes -------------------------------------------------------------------------------
void check_header(const btf::Btf& btf, const Options& opts, Sink& sink);
void check_metas(const btf::Btf& btf, const Options& opts, Sink& sink);
void check_types(const btf::Btf& btf, const Options& opts, Sink& sink);
void check_type_tags(const btf::Btf& btf, const Options& opts, Sink& sink);
void check_layout(const btf::Btf& btf, const Options& opts, Sink& sink);

}  // namespace btfcheck::verify::detail
