// One batch of compile units -> one libbpf `struct btf`.
//
// Design: a batch is walked by one thread with its own Dwarf handle. Every type DIE becomes
// BTF types appended in DIE order (two-phase, as LLVM's BTF emitter: ids are assigned while
// walking, references are recorded as patches keyed by the target DIE and filled in once
// the unit is walked). Functions are only *recorded* during the walk; which CU's DWARF
// gives a function its FUNC is decided in batch order through a Sequencer (see
// func_encoder.cc), after which the winners' FUNC_PROTO/FUNC are added from the same DIEs. The batch is then deduplicated on its own; pipeline.cc merges the
// batches in batch order and deduplicates once more.
#pragma once

#include <bpf/btf.h>
#include <elfutils/libdw.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "btf/records.h"
#include "encoder/dwarf/dwarf_file.h"
#include "encoder/dwarf/elf_syms.h"
#include "encoder/dwarf/encode.h"
#include "encoder/dwarf/packed_params.h"
#include "encoder/dwarf/raw_writer.h"

namespace btfcheck::encode {

// Lets batch k run its ordered step only after batch k-1 ran its own.
class Sequencer {
 public:
  void wait_turn(uint32_t k) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return next_ == k || aborted_; });
  }
  void done_turn(uint32_t k) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (next_ == k) next_ = k + 1;
    }
    cv_.notify_all();
  }
  void abort() {
    {
      std::lock_guard<std::mutex> l(mu_);
      aborted_ = true;
    }
    cv_.notify_all();
  }
  bool aborted() {
    std::lock_guard<std::mutex> l(mu_);
    return aborted_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint32_t next_ = 0;
  bool aborted_ = false;
};

// A FUNC name the pipeline settles after the final dedup (func_encoder.cc, true_sig.cc).
struct FuncDrop {
  enum Kind : uint8_t {
    kSuperseded,   // an earlier CU's FUNC superseded by the subprogram at the symbol's
                   // address: every FUNC of the name but the last goes (none if dedup folded them)
    kAll,          // every FUNC of the name goes ("skipped"; no line when `why` is empty)
    kRenamed,      // true_signature: every FUNC of the base name goes, its clone's stays
                   // ("renamed"; the name's "skipped" lines are left out)
    kKeepFirst,    // true_signature: of a clone name's FUNCs (two states gave one name)
    kKeepLast,     // only the first / the last stays (none goes if dedup folded them)
  };
  std::string_view name;
  Kind kind = kAll;
  std::string why;      // --explain text, or the superseded CU's description
};

// true_signature (true_sig.cc): a FUNC written under the '.'-named ELF symbol at its code's
// address. Which of a name's states gives it is settled at the end, as pahole master
// decides it: its first state when no state of the name has "unexpected register usage",
// else the first later state before one that has.
struct CloneFunc {
  std::string_view base, clone;
  uint32_t elf_idx = 0;
  bool first = false;   // the name's first state
  std::string why;      // --explain text
};
constexpr uint8_t kTsSeen = 1, kTsBad = 2, kTsLater = 4;

// true_signature: what pahole master makes of one formal parameter (master_params.cc).
struct ParamFate {
  bool drop = false;
  bool has_member = false;    // the name becomes `<param>__<member>`
  bool member_type = false;   // ... and the type the member's
  Dwarf_Die member{};
};

// State shared by every batch, read-only except the claim tables below, which only the
// batch holding the Sequencer turn touches.
struct SharedState {
  const ElfSymbols* syms = nullptr;
  const UnitList* units = nullptr;
  const Options* opts = nullptr;
  const struct btf* base = nullptr;
  std::string path;
  Sequencer seq;
  // Per ELF function (index into syms->funcs), touched only under the turn:
  std::vector<uint32_t> claimed;     // 0 = free, else 1 + CU index of the FUNC written
  std::vector<uint8_t> claim_kind;   // kNoClaim, kClaimNoAddress, kClaimAtAddress
  std::vector<std::string_view> claim_cu;  // CU name of the claim
  // consistent_func: the first prototype seen, and its CU
  std::vector<std::pair<std::string, std::string_view>> first_sig;
  std::vector<uint8_t> dropped;            // a FuncDrop{all} was queued
  std::vector<FuncDrop> drops;             // in turn order
  // true_signature: kTs* bits per ELF function, and the clone FUNCs written, in turn order
  std::vector<uint8_t> ts;
  std::vector<CloneFunc> clones;
};
constexpr uint8_t kNoClaim = 0, kClaimNoAddress = 1, kClaimAtAddress = 2;

// A VAR added by a batch: where its DATASEC entry goes.
struct VarRec {
  uint32_t shndx = 0;
  uint64_t offset = 0, size = 0;
  std::string_view name;
};

struct BatchResult {
  struct btf* btf = nullptr;  // deduplicated; owned by the caller after run()
  std::vector<VarRec> vars;   // in the order their VARs were added
  std::vector<std::string> explain;
  uint32_t cus_skipped = 0;
  double walk_s = 0, wait_s = 0, funcs_s = 0, dedup_s = 0;  // phase times (--stats)
  Error error;
  bool failed = false;
};

class BatchEncoder {
 public:
  BatchEncoder(SharedState& shared, const DwarfFile& file, uint32_t batch_index, BatchSpan span);
  ~BatchEncoder();
  // Walks, takes the turn, adds FUNCs, deduplicates. Always passes the turn on.
  BatchResult run();

 private:
  struct FuncCand {
    uint64_t die_off;
    uint32_t elf_idx;
    uint32_t cu;
    std::string_view name;
    std::string_view cu_name;
    bool at_symbol;        // the DIE's code starts at one of the name's symbol addresses
    // --compat=pahole-master --explain: it does so only with the learned entry offset, not
    // by DW_AT_low_pc as pahole master compares (so at_symbol is false)
    bool entry_only = false;
    std::string sig;       // consistent_func: prototype text
    std::string bad_param; // param_regs: why the parameters are not where expected
    uint64_t origin;       // DW_AT_abstract_origin's DIE offset, or 0
    std::string optimized; // --compat=pahole-master: why its signature is not the ABI's
    std::string reordered; // --compat=pahole-master: its parameters are reordered
    std::string uncertain; // --compat=pahole-master: uncertain parameter location (packed_params.h)
    // true_signature: the '.'-named ELF symbol at its address, what becomes of each
    // formal parameter (empty: all kept as they are), and why (--explain)
    std::string_view clone;
    std::vector<ParamFate> fates;
    std::string rewritten;
  };
  struct Patch {
    size_t word;      // the reference's word in the raw type section
    uint64_t target;  // key of the DIE it names (kVoidKey, kIndexKey)
  };

  // walk (type_encoder.cc)
  bool encode_unit(Dwarf_Die* unit, const Unit& u, uint32_t cu_index, bool is_type_unit);
  void walk(Dwarf_Die* parent, int depth);
  void encode_type(Dwarf_Die* die, int tag);
  uint32_t add_base(Dwarf_Die* die);
  uint32_t add_struct(Dwarf_Die* die, int tag);
  uint32_t add_enum(Dwarf_Die* die);
  uint32_t add_array(Dwarf_Die* die);
  uint32_t add_proto(Dwarf_Die* die);
  uint32_t add_pointer(Dwarf_Die* die);
  void add_decl_tags(Dwarf_Die* die, uint32_t target, int component);
  void add_decl_tag(const char* value, uint32_t target, int component);
  void record(uint64_t key, uint32_t id);
  void alias(uint64_t key, uint64_t target_key);
  uint64_t key_of(Dwarf_Die* die) const;
  uint64_t ref(Dwarf_Die* die, unsigned at, bool integrate = false);
  uint64_t ref_attr(Dwarf_Attribute* a);
  void patch_later(size_t word, uint64_t target) { patches_.push_back({word, target}); }
  uint32_t name(const char* s) { return w_->str(s); }
  // A name from die_name(die, &in_section): 0 for none or "".
  uint32_t name(const char* s, bool in_section) {
    return in_section ? w_->str_in_section(s) : w_->str(s);
  }
  uint32_t resolve(uint64_t key) const;
  bool apply_patches();
  uint32_t index_type_for_unit();

  // functions and variables (func_encoder.cc, var_encoder.cc)
  void note_subprogram(Dwarf_Die* die);
  void add_funcs();
  // The FUNC of c, named `as` (a clone name: no kfunc tags) or c.name.
  uint32_t add_func(const FuncCand& c, std::string_view as = {});
  // true_sig.cc: whether c's clone FUNC is written (under the turn; queues a CloneFunc).
  bool claim_clone(const FuncCand& c);
  uint32_t arena_ptr(Dwarf_Die* typed, std::string_view fn);
  void note_variable(Dwarf_Die* die);
  // "NAME: VERB: WHY" for --explain (VERB: skipped, kept, rewritten).
  void explain(std::string_view name, const std::string& why, std::string_view verb = "skipped");
  void explain_no_symbol(Dwarf_Die* die, const char* name);
  // The symbol address of funcs[elf_idx] the DIE's code starts at, or nullptr.
  const FuncAddr* symbol_at(Dwarf_Die* die, uint32_t elf_idx) const;
  // func_checks.cc
  static std::string prototype_text(Dwarf_Die* fn, bool skip_const);
  std::string check_param_regs(Dwarf_Die* fn) const;
  // master_params.cc: pahole master's parameter analysis (--compat=pahole-master) of the
  // subprogram whose code starts at symbol `at`; each string is empty, or why the function
  // is skipped.
  // With true_signature, `fates` and `rewritten` (see FuncCand) for a function whose
  // signature clang changed (DW_CC_nocall) or, `reordered`, whose parameters gcc moved.
  struct MasterParams {
    std::string unexpected, optimized;
    std::vector<ParamFate> fates;
    std::string rewritten;
  };
  MasterParams master_params(Dwarf_Die* fn, const FuncAddr* at, bool reordered) const;
  // An abstract instance's "unexpected register usage" from the concrete subprograms of
  // its CU that refer to it (DIE offsets, in order), or empty.
  std::string abstract_unexpected(Dwarf_Die* origin, std::span<const uint64_t> concretes) const;
  // func_encoder.cc: abstract_unexpected for the candidates of the CU just walked, from
  // cands_[first] on (--compat=pahole-master).
  void note_abstract_states(size_t first);
  std::string reordered_params(Dwarf_Die* fn) const;

  bool fail(const std::string& rule, const std::string& msg, uint64_t die_off);

  SharedState& sh_;
  const Features& feat_;
  const DwarfFile& file_;
  Dwarf* dbg_;
  uint32_t batch_;
  BatchSpan span_;
  std::unique_ptr<RawWriter> w_;
  BatchResult res_;

  // DIE key -> BTF id. CU DIEs are appended in DIE order (sorted); type units in a map.
  std::vector<std::pair<uint64_t, uint32_t>> ids_;
  // The unit being walked: DIE offset -> id, dense over [unit_lo_, unit_hi_) (0 = none).
  std::vector<uint32_t> dense_;
  uint64_t unit_lo_ = 0, unit_hi_ = 0;
  // The unit being walked: its libdw CU, where its header starts (CU-relative references
  // count from there) and its size with the header (0: not walking one); swap_: the file's
  // byte order is not the host's.
  Dwarf_CU* unit_cu_ = nullptr;
  uint64_t unit_start_ = 0, unit_size_ = 0;
  bool swap_ = false;
  std::unordered_map<uint64_t, uint32_t> tu_ids_;
  std::vector<uint64_t> aliases_;
  std::vector<Patch> patches_;
  std::vector<FuncCand> cands_;
  struct PendingTag {
    const char* value;
    uint32_t target;
    int component;
  };
  std::vector<PendingTag> pending_tags_;
  bool defer_tags_ = true;
  std::vector<uint64_t> nested_;  // type DIEs met inside a struct, encoded after it
  PackedInference packed_;        // --compat=pahole-master: per unit
  bool in_type_unit_ = false;
  bool in_debug_types_ = false;
  uint32_t cu_index_ = 0;
  std::string_view cu_name_;
  bool cu_asm_ = false;   // an assembler unit: its subprograms carry no prototype
  bool cu_clang_ = false; // DW_AT_producer names clang
  uint32_t cu_int_ = 0;
  bool cu_needs_index_ = false;
};

// Raw BTF bytes (split on `base` when given) -> a libbpf btf, or nullptr (errno set).
struct btf* btf_from_raw(std::span<const uint8_t> bytes, const struct btf* base);

// The string section size of `base` (where split BTF's string offsets start); 0 if unreadable.
uint32_t base_str_size(const struct btf* base);

// The own types of a libbpf btf as records, a copy of its own string section, and where
// that section's offsets start (split BTF: base_str_size of its base, else 0).
struct OwnRecords {
  btf::Records records;
  std::string strings;
  uint32_t str_base = 0;
};
Result<OwnRecords> own_records(const struct btf* btf, const std::string& path);

// After the final dedup: drops the FUNCs `drops` asks for (func_drop.cc), with the
// DECL_TAGs on them and the FUNC_PROTOs nothing else refers to. Returns `btf` itself when
// nothing goes, else a new btf (the caller frees both). Explain lines go to `explain`
// (when non-null).
// Drops the types `gone` marks (indexed by id, sized btf__type_cnt), with the DECL_TAGs on
// them and the FUNC_PROTOs only dropped FUNCs referred to. Returns `btf` itself when
// nothing goes, else a new btf (the caller frees both).
Result<struct btf*> drop_types(struct btf* btf, std::vector<uint8_t> gone, const std::string& path);

// Split BTF deduplicated as libbpf 1.8 does (split_dedup18.cc, --compat=pahole-master):
// libbpf 1.1's dedup, then the types libbpf 1.8 would have left in the split BTF (TYPEDEFs
// and what refers to them) written back as split copies. Returns a new btf (the caller frees
// both); one explain line names the rule when it kept anything.
Result<struct btf*> dedup_split_libbpf18(struct btf* btf, std::vector<std::string>* explain,
                                         const std::string& path);

// true_signature (true_sig.cc): the drops that settle which clone FUNC each name keeps and
// take the names' own FUNCs away; after `sh.drops`.
std::vector<FuncDrop> clone_drops(const SharedState& sh);

Result<struct btf*> settle_func_drops(struct btf* btf, const std::vector<FuncDrop>& drops,
                                      std::vector<std::string>* explain, const std::string& path);

constexpr uint64_t kVoidKey = ~0ull;
constexpr uint64_t kIndexKey = ~0ull - 1;
constexpr uint64_t kTypesBit = 1ull << 62;
constexpr uint32_t kAliasBit = 1u << 31;

}  // namespace btfcheck::encode
