// Driving one batch: type units, then the batch's CUs in order, then the ordered FUNC
// step, then a batch-local btf__dedup (see batch_encoder.h).
#include "encoder/dwarf/batch_encoder.h"

#include <dwarf.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "encoder/dwarf/die_util.h"

namespace btfcheck::encode {

BatchEncoder::BatchEncoder(SharedState& shared, const DwarfFile& file, uint32_t batch_index,
                           BatchSpan span)
    : sh_(shared), feat_(shared.opts->features), file_(file), dbg_(file.dwarf()),
      batch_(batch_index), span_(span),
      packed_(!shared.syms->big_endian, pahole_register_params(shared.syms->machine)) {}

BatchEncoder::~BatchEncoder() = default;

void BatchEncoder::explain(std::string_view name, const std::string& why, std::string_view verb) {
  std::string line;
  line.reserve(name.size() + verb.size() + why.size() + 4);
  line.append(name).append(": ").append(verb).append(": ").append(why);
  res_.explain.push_back(std::move(line));
}

bool BatchEncoder::fail(const std::string& rule, const std::string& msg, uint64_t die_off) {
  if (!res_.failed) {
    res_.failed = true;
    res_.error.rule = rule;
    res_.error.file = sh_.path;
    res_.error.section = ".debug_info";
    res_.error.offset = die_off;
    res_.error.message = msg;
  }
  return false;
}

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

// Raw bytes -> libbpf btf (which checks them). Split BTF goes through a memfd, as libbpf
// 1.1 has no in-memory split constructor.
struct btf* btf_from_raw(std::span<const uint8_t> bytes, const struct btf* base) {
  if (!base) return btf__new(bytes.data(), static_cast<uint32_t>(bytes.size()));
  int fd = ::memfd_create("btfcheck-split", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  struct btf* out = nullptr;
  if (::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())) {
    const std::string p = "/proc/self/fd/" + std::to_string(fd);
    out = btf__parse_raw_split(p.c_str(), const_cast<struct btf*>(base));
  }
  ::close(fd);
  return out;
}

BatchResult BatchEncoder::run() {
  auto t0 = std::chrono::steady_clock::now();
  w_ = sh_.base ? std::make_unique<RawWriter>(btf__type_cnt(sh_.base),
                                               base_str_size(sh_.base))
               : std::make_unique<RawWriter>(1, 0);
  bool ok = true;
  // Type units first (every batch holds them all: a CU may reference any of them by
  // signature; dedup folds the copies).
  for (const Unit& tu : sh_.units->type_units) {
    if (!ok) break;
    Dwarf_Die die;
    const bool found = tu.debug_types ? dwarf_offdie_types(dbg_, tu.die_off, &die) != nullptr
                                      : dwarf_offdie(dbg_, tu.die_off, &die) != nullptr;
    if (found) ok = encode_unit(&die, tu, 0, true);
  }
  for (uint32_t i = span_.first; ok && i < span_.end; ++i) {
    Dwarf_Die die;
    if (!dwarf_offdie(dbg_, sh_.units->cus[i].die_off, &die)) {
      ok = fail("encode.dwarf", "cannot read the CU DIE", sh_.units->cus[i].die_off);
      break;
    }
    uint64_t lang = 0;
    if (sh_.opts->exclude_rust && die_udata(&die, DW_AT_language, &lang) && lang == DW_LANG_Rust) {
      ++res_.cus_skipped;
      continue;
    }
    cu_asm_ = die_udata(&die, DW_AT_language, &lang) && lang == DW_LANG_Mips_Assembler;
    Dwarf_Attribute producer;
    const char* prod = dwarf_formstring(dwarf_attr(&die, DW_AT_producer, &producer));
    cu_clang_ = prod && std::strstr(prod, "clang");
    const size_t first_cand = cands_.size();
    ok = encode_unit(&die, sh_.units->cus[i], i, false);
    if (ok && sh_.opts->compat == Compat::PaholeMaster) note_abstract_states(first_cand);
  }
  if (!ok) {
    sh_.seq.abort();
    return std::move(res_);
  }
  res_.walk_s = since(t0);
  t0 = std::chrono::steady_clock::now();
  sh_.seq.wait_turn(batch_);
  res_.wait_s = since(t0);
  t0 = std::chrono::steady_clock::now();
  if (sh_.seq.aborted()) {
    fail("encode.aborted", "another batch failed", 0);
    return std::move(res_);
  }
  add_funcs();  // passes the turn on
  res_.funcs_s = since(t0);
  t0 = std::chrono::steady_clock::now();
  struct btf* btf = nullptr;
  {
    const std::vector<uint8_t> blob = w_->bytes();
    w_.reset();  // peak: the blob and libbpf's copy, not the writer's buffers too
    btf = btf_from_raw(blob, sh_.base);
  }
  if (!btf) {
    fail("encode.btf", "libbpf rejected the encoded batch " + std::to_string(batch_) + ": " +
                           std::strerror(errno), 0);
    return std::move(res_);
  }
  if (sh_.base && sh_.opts->compat == Compat::PaholeMaster) {
    auto as18 = dedup_split_libbpf18(btf, sh_.opts->explain ? &res_.explain : nullptr, sh_.path);
    btf__free(btf);
    res_.dedup_s = since(t0);
    if (!as18) {
      res_.failed = true;
      res_.error = as18.error();
      return std::move(res_);
    }
    res_.btf = *as18;
    return std::move(res_);
  }
  int err = btf__dedup(btf, nullptr);
  res_.dedup_s = since(t0);
  if (err) {
    btf__free(btf);
    fail("encode.dedup", "btf__dedup failed on batch " + std::to_string(batch_) + " (error " +
                             std::to_string(err) + ")", 0);
    return std::move(res_);
  }
  res_.btf = btf;
  return std::move(res_);
}

}  // namespace btfcheck::encode
