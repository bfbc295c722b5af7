// encode_dwarf: the parallel, reproducible pipeline.
//
//   1. serial: open the file, read ELF symbols, list the units, learn the function entry
//      offsets from a fixed sample of units (entry_offsets.cc), cut the CUs into batches of
//      about kBatchBytes of DWARF each (a function of the input only, never of -j);
//   2. N workers take batches in increasing order; each encodes its batch into its own
//      libbpf btf (own Dwarf handle), takes the Sequencer turn to claim FUNC names in
//      batch order, adds its FUNCs and deduplicates its btf;
//   3. the calling thread appends the batch btfs in batch order (btf__add_btf) as they
//      become ready (encode_batches), then runs one final btf__dedup, settles the FUNCs a later claim
//      superseded or a check rejected (settle_func_drops), then adds the DATASECs
//      (entries sorted by offset) and takes the raw bytes.
// Every step's order is a function of the input, so the bytes are the same for every N.
#include <bpf/btf.h>
#include <libelf.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "encoder/dwarf/batch_encoder.h"
#include "encoder/dwarf/dwarf_file.h"
#include "encoder/dwarf/elf_syms.h"
#include "encoder/dwarf/encode.h"
#include "encoder/dwarf/layout.h"
#include "encoder/dwarf/distill.h"

namespace btfcheck::encode {
namespace {

// About 1/40 of a distribution vmlinux's .debug_info per batch: enough batches to keep
// two to eight threads busy and the per-batch memory small, few enough that the final
// dedup stays small (measured: 0.1-0.2 s on the cloud vmlinux).
constexpr uint64_t kBatchBytes = 4ull << 20;

struct BtfOwner {
  struct btf* p = nullptr;
  BtfOwner() = default;
  BtfOwner(const BtfOwner&) = delete;
  BtfOwner& operator=(const BtfOwner&) = delete;
  BtfOwner(BtfOwner&& o) noexcept : p(std::exchange(o.p, nullptr)) {}
  BtfOwner& operator=(BtfOwner&& o) noexcept {
    std::swap(p, o.p);
    return *this;
  }
  ~BtfOwner() {
    if (p) btf__free(p);
  }
};

// The ids of the VARs in `btf`, in id order (the order they were added): one per VarRec.
Result<std::vector<uint32_t>> var_ids_of(const struct btf* btf, const std::vector<VarRec>& vars,
                                         const std::string& path) {
  std::vector<uint32_t> var_ids;
  const uint32_t n = btf__type_cnt(btf);
  const struct btf* base = btf__base_btf(btf);
  for (uint32_t id = base ? btf__type_cnt(base) : 1; id < n; ++id)
    if (btf_is_var(btf__type_by_id(btf, id))) var_ids.push_back(id);
  if (var_ids.size() != vars.size())
    return file_error(path, "encode.internal",
                      "VAR count changed across dedup (" + std::to_string(vars.size()) + " -> " +
                          std::to_string(var_ids.size()) + ")");
  return var_ids;
}

// DATASECs for the VARs now in `out`.
Result<uint32_t> add_datasecs(struct btf* out, const std::vector<VarRec>& vars,
                              const ElfSymbols& syms, const std::string& path) {
  auto found = var_ids_of(out, vars, path);
  if (!found) return found.error();
  const std::vector<uint32_t>& var_ids = *found;
  struct Entry {
    uint64_t offset, size;
    uint32_t id;
  };
  std::map<uint32_t, std::vector<Entry>> by_section;  // ordered by section index
  for (size_t i = 0; i < vars.size(); ++i)
    by_section[vars[i].shndx].push_back({vars[i].offset, vars[i].size, var_ids[i]});
  uint32_t added = 0;
  for (auto& [shndx, entries] : by_section) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.offset < b.offset; });
    const SectionInfo* sec = shndx < syms.sections.size() ? &syms.sections[shndx] : nullptr;
    std::string name = sec ? std::string(sec->name) : std::string(".data..percpu");
    uint64_t size = sec ? sec->size : 0;
    // pahole 1.24 sizes the per-CPU DATASEC to the end of its last variable.
    if (shndx == syms.percpu_shndx) {
      size = 0;
      for (const Entry& e : entries) size = std::max(size, e.offset + e.size);
    }
    int ds = btf__add_datasec(out, name.c_str(), static_cast<uint32_t>(size));
    if (ds < 0) return file_error(path, "encode.btf", "cannot add DATASEC " + name);
    for (const Entry& e : entries)
      btf__add_datasec_var_info(out, static_cast<int>(e.id), static_cast<uint32_t>(e.offset),
                                static_cast<uint32_t>(e.size));
    ++added;
  }
  return added;
}

// global_var, btfcheck's own rule (pahole master writes them all, and the kernel rejects
// its BTF): variables whose bytes overlap another's in a section (aliases at one address,
// or a symbol larger than the gap to the next) cannot all be DATASEC entries. Per section,
// by offset, the larger first at one offset: an entry that starts before the end of the
// last one kept is left out, with its VAR, and --explain names the one kept.
Result<uint32_t> drop_overlapping_vars(BtfOwner& btf, std::vector<VarRec>& vars,
                                       const ElfSymbols& syms, const std::string& path,
                                       std::vector<std::string>* explain) {
  auto found = var_ids_of(btf.p, vars, path);
  if (!found) return found.error();
  const std::vector<uint32_t>& var_ids = *found;
  const uint32_t n = btf__type_cnt(btf.p);
  std::vector<uint32_t> order(vars.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const VarRec &x = vars[a], &y = vars[b];
    if (x.shndx != y.shndx) return x.shndx < y.shndx;
    if (x.offset != y.offset) return x.offset < y.offset;
    return x.size != y.size ? x.size > y.size : a < b;
  });
  std::vector<uint8_t> gone(n, 0), left_out(vars.size(), 0);
  uint32_t dropped = 0, kept = 0;
  uint64_t end = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const VarRec& v = vars[order[k]];
    if (k == 0 || vars[order[k - 1]].shndx != v.shndx) end = 0;
    if (k > 0 && vars[order[k - 1]].shndx == v.shndx && v.offset < end) {
      gone[var_ids[order[k]]] = 1;
      left_out[order[k]] = 1;
      ++dropped;
      if (explain) {
        const VarRec& by = vars[kept];
        const std::string sec = v.shndx < syms.sections.size() ? std::string(syms.sections[v.shndx].name) : "?";
        char at[64];
        std::snprintf(at, sizeof at, "%s+0x%llx", sec.c_str(), static_cast<unsigned long long>(v.offset));
        const std::string what =
            by.name == v.name && by.offset == v.offset
                ? "are already described by another VAR of the same name (a second CU's DWARF "
                  "defines it too)"
                : "overlap VAR " + std::string(by.name) +
                      " (an alias, or a symbol larger than the gap to the next), which is kept";
        explain->push_back(std::string(v.name) + ": skipped: its " + std::to_string(v.size) +
                           " bytes at " + at + " " + what +
                           ": the kernel rejects overlapping DATASEC entries (global_var)");
      }
      continue;
    }
    kept = order[k];
    end = std::max(end, v.offset + v.size);
  }
  if (dropped == 0) return 0u;
  auto rebuilt = drop_types(btf.p, std::move(gone), path);
  if (!rebuilt) return rebuilt.error();
  if (*rebuilt != btf.p) {
    btf__free(btf.p);
    btf.p = *rebuilt;
  }
  std::vector<VarRec> rest;
  for (size_t i = 0; i < vars.size(); ++i)
    if (!left_out[i]) rest.push_back(vars[i]);
  vars = std::move(rest);
  return dropped;
}

// Step 1 (serial): the file, its symbols and units, the entry offsets, the base, the batches.
struct Prepared {
  std::unique_ptr<DwarfFile> file;
  ElfSymbols syms;
  UnitList units;
  BtfOwner base;
  std::vector<BatchSpan> batches;
  // The workers' handles (encode_batches): names that FUNC drops and explanations hold
  // point into their DWARF, so they live as long as the rest.
  std::vector<Result<std::unique_ptr<DwarfFile>>> worker_files;
};

Result<std::unique_ptr<Prepared>> prepare(const std::string& path, const Options& opts) {
  auto p = std::make_unique<Prepared>();
  auto main_file = DwarfFile::open(path);
  if (!main_file) return main_file.error();
  p->file = std::move(*main_file);
  auto syms = read_elf_symbols(p->file->elf(), path, opts.compat == Compat::PaholeMaster);
  if (!syms) return syms.error();
  p->syms = std::move(*syms);
  auto units = list_units(p->file->dwarf(), path);
  if (!units) return units.error();
  p->units = std::move(*units);
  if (p->units.cus.empty()) return file_error(path, "encode.no-dwarf", "no compile units in .debug_info");
  learn_entry_offsets(*p->file, p->units, p->syms);
  if (opts.features.decl_tag_kfuncs && opts.features.decl_tag) read_kfuncs(p->file->elf(), p->syms);
  if (!opts.base_path.empty()) {
    p->base.p = btf__parse(opts.base_path.c_str(), nullptr);
    if (!p->base.p)
      return file_error(opts.base_path, "encode.base", "cannot read the base BTF: " +
                                                         std::string(std::strerror(errno)));
  }
  // Split BTF is written as one batch: libbpf cannot append split BTF objects.
  p->batches = plan_batches(p->units, opts.batch_bytes ? opts.batch_bytes : kBatchBytes,
                            p->base.p != nullptr);
  return p;
}

// What step 2 leaves: the batches appended in order (not yet deduplicated as a whole), the
// VARs in the order they were added, and the summed per-batch timings.
struct Appended {
  BtfOwner btf;
  std::vector<VarRec> vars;
  double walk = 0, wait = 0, funcs = 0, dedup = 0, merge_wait = 0;
};

// Step 2: workers encode batches; this thread appends them in batch order as they become
// ready. The first error in batch order wins (an abort caused by it is not the cause).
Result<Appended> encode_batches(Prepared& p, SharedState& sh, const std::string& path,
                                const Options& opts, Output& out) {
  const std::vector<BatchSpan>& batches = p.batches;
  unsigned jobs = opts.jobs ? opts.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(batches.size())));
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::optional<BatchResult>> results(batches.size());
  std::atomic<uint32_t> next{0};
  std::vector<Error> open_errors(jobs);
  // Every worker's handle is made here, serially (see DwarfFile::open_sibling).
  auto& files = p.worker_files;
  files.reserve(jobs);
  for (unsigned w = 0; w < jobs; ++w) files.push_back(DwarfFile::open_sibling(*p.file, path));
  auto worker = [&](unsigned w) {
    auto& file = files[w];
    if (!file) {
      open_errors[w] = file.error();
      sh.seq.abort();
    }
    for (;;) {
      const uint32_t k = next.fetch_add(1);
      if (k >= batches.size()) break;
      BatchResult r;
      if (file) {
        BatchEncoder enc(sh, **file, k, batches[k]);
        r = enc.run();
      } else {
        r.failed = true;
        r.error = open_errors[w];
      }
      {
        std::lock_guard<std::mutex> l(mu);
        results[k] = std::move(r);
      }
      cv.notify_all();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(jobs);
  for (unsigned w = 0; w < jobs; ++w) threads.emplace_back(worker, w);

  Appended a;
  std::optional<Error> first_error;
  for (size_t k = 0; k < batches.size(); ++k) {
    BatchResult r;
    {
      auto tw = std::chrono::steady_clock::now();
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return results[k].has_value(); });
      r = std::move(*results[k]);
      results[k].reset();
      a.merge_wait += std::chrono::duration<double>(std::chrono::steady_clock::now() - tw).count();
    }
    if (opts.progress) opts.progress(k + 1, batches.size());
    a.walk += r.walk_s;
    a.wait += r.wait_s;
    a.funcs += r.funcs_s;
    a.dedup += r.dedup_s;
    BtfOwner b;
    b.p = r.btf;
    if (r.failed) {
      if (!first_error || first_error->rule == "encode.aborted") first_error = r.error;
      continue;
    }
    if (first_error) continue;
    out.cus_skipped += r.cus_skipped;
    for (auto& line : r.explain) out.explain.push_back(std::move(line));
    a.vars.insert(a.vars.end(), r.vars.begin(), r.vars.end());
    if (batches.size() == 1) {
      a.btf.p = b.p;
      b.p = nullptr;
      continue;
    }
    if (!a.btf.p) a.btf.p = btf__new_empty();
    if (!a.btf.p || btf__add_btf(a.btf.p, b.p) < 0)
      first_error = file_error(path, "encode.btf", "cannot append batch " + std::to_string(k));
  }
  for (auto& t : threads) t.join();
  if (first_error) return *first_error;
  return a;
}

// Step 3b: the FUNCs a later claim superseded or a check rejected, dropped from the
// deduplicated BTF; out.funcs counts what is left (superseded FUNCs that dedup folded into
// their successor were added twice but are one FUNC).
std::optional<Error> settle_funcs(BtfOwner& btf, const SharedState& sh, const Options& opts,
                                  const std::string& path, Output& out) {
  std::vector<FuncDrop> with_clones;
  if (!sh.clones.empty()) {
    with_clones = sh.drops;
    for (FuncDrop& d : clone_drops(sh)) with_clones.push_back(std::move(d));
  }
  auto settled = settle_func_drops(btf.p, sh.clones.empty() ? sh.drops : with_clones,
                                   opts.explain ? &out.explain : nullptr, path);
  if (!settled) return settled.error();
  if (*settled != btf.p) {
    btf__free(btf.p);
    btf.p = *settled;
  }
  out.funcs = 0;
  const struct btf* b = btf.p;
  for (uint32_t id = btf__base_btf(b) ? btf__type_cnt(btf__base_btf(b)) : 1; id < btf__type_cnt(b); ++id)
    out.funcs += btf_is_func(btf__type_by_id(b, id));
  return std::nullopt;
}

}  // namespace

Result<Output> encode_dwarf(const std::string& path, const Options& opts) {
  elf_version(EV_CURRENT);  // before any thread opens the file
  auto lap = [last = std::chrono::steady_clock::now()]() mutable {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - last).count();
    last = now;
    return s;
  };
  auto prepared = prepare(path, opts);
  if (!prepared) return prepared.error();
  Prepared& p = **prepared;
  SharedState sh;
  sh.syms = &p.syms;
  sh.units = &p.units;
  sh.opts = &opts;
  sh.base = p.base.p;
  sh.path = path;
  sh.claimed.assign(p.syms.funcs.size(), 0);
  sh.claim_kind.assign(p.syms.funcs.size(), kNoClaim);
  sh.claim_cu.assign(p.syms.funcs.size(), {});
  sh.dropped.assign(p.syms.funcs.size(), 0);
  if (opts.features.consistent_func) sh.first_sig.assign(p.syms.funcs.size(), {});
  if (opts.features.true_signature) sh.ts.assign(p.syms.funcs.size(), 0);
  const double setup_s = lap();

  Output out;
  out.cus = static_cast<uint32_t>(p.units.cus.size());
  out.batches = static_cast<uint32_t>(p.batches.size());
  auto appended = encode_batches(p, sh, path, opts, out);
  const double parallel_s = lap();
  if (!appended) return appended.error();
  Appended& a = *appended;
  // Step 3: one final dedup over all batches, the FUNC drops, the DATASECs, the bytes.
  if (p.batches.size() > 1) {
    int err = btf__dedup(a.btf.p, nullptr);
    if (err) return file_error(path, "encode.dedup", "final btf__dedup failed: " + std::to_string(err));
  }
  const double final_dedup_s = lap();
  if (auto e = settle_funcs(a.btf, sh, opts, path, out)) return *e;
  const double settle_s = lap();
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "setup %.2fs | parallel phase %.2fs wall (sum over batches: walk %.2fs, turn wait "
                "%.2fs, funcs %.2fs, batch dedup %.2fs; merger idle %.2fs) | final dedup %.2fs | "
                "FUNC drops %.2fs (%zu queued)",
                setup_s, parallel_s, a.walk, a.wait, a.funcs, a.dedup, a.merge_wait,
                final_dedup_s, settle_s, sh.drops.size());
  out.timing = buf;
  out.entries = p.syms.entries.describe();
  if (opts.features.global_var && opts.compat != Compat::PaholeMaster) {
    auto left_out = drop_overlapping_vars(a.btf, a.vars, p.syms, path, opts.explain ? &out.explain : nullptr);
    if (!left_out) return left_out.error();
  }
  auto ds = add_datasecs(a.btf.p, a.vars, p.syms, path);
  if (!ds) return ds.error();
  out.vars = static_cast<uint32_t>(a.vars.size());
  if (p.syms.big_endian) btf__set_endianness(a.btf.p, BTF_BIG_ENDIAN);
  if (opts.features.distilled_base) {
    auto distilled = distill_base(a.btf.p, p.syms.big_endian, path);
    if (!distilled) return distilled.error();
    out.btf = std::move(distilled->split);
    out.btf_base = std::move(distilled->base);
  } else {
    uint32_t size = 0;
    const void* raw = btf__raw_data(a.btf.p, &size);
    if (!raw) return file_error(path, "encode.btf", "cannot serialize the BTF");
    out.btf.assign(static_cast<const char*>(raw), size);
  }
  // libbpf 1.8's framing: pahole master writes a 32-byte header, and a layout section for
  // base BTF only (it never asks for one on split BTF).
  if (opts.compat == Compat::PaholeMaster || opts.features.layout) {
    auto framed = with_header32(out.btf, p.syms.big_endian, opts.features.layout && !p.base.p, path);
    if (!framed) return framed.error();
    out.btf = std::move(*framed);
    if (!out.btf_base.empty()) {
      auto base = with_header32(out.btf_base, p.syms.big_endian, false, path);
      if (!base) return base.error();
      out.btf_base = std::move(*base);
    }
  }
  return out;
}

}  // namespace btfcheck::encode
