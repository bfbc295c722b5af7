// encode_dwarf: the parallel, reproducible pipeline.
//
//   1. serial: open the file, read ELF symbols, list the units, learn the function entry
//      offsets from a fixed sample of units (entry_offsets.cc), cut the CUs into batches of
//      about kBatchBytes of DWARF each (a function of the input only, never of -j);
//   2. N workers take batches in increasing order; each encodes its batch into its own
//      libbpf btf (own Dwarf handle), takes the Sequencer turn to claim FUNC names in
//      batch order, adds its FUNCs and deduplicates its btf;
//   3. the calling thread appends the batch btfs in batch order (btf__add_btf) as they
//      become ready, then runs one final btf__dedup, settles the FUNCs a later claim
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

#include "encoder/dwarf/batch_encoder.h"
#include "encoder/dwarf/dwarf_file.h"
#include "encoder/dwarf/elf_syms.h"
#include "encoder/dwarf/encode.h"

namespace btfcheck::encode {
namespace {

// About 1/40 of a distribution vmlinux's .debug_info per batch: enough batches to keep
// two to eight threads busy and the per-batch memory small, few enough that the final
// dedup stays small (measured: 0.1-0.2 s on the cloud vmlinux).
constexpr uint64_t kBatchBytes = 4ull << 20;

struct BtfOwner {
  struct btf* p = nullptr;
  ~BtfOwner() {
    if (p) btf__free(p);
  }
};

// DATASECs for the VARs now in `out` (found in id order, the order they were added).
Result<uint32_t> add_datasecs(struct btf* out, const std::vector<VarRec>& vars,
                              const ElfSymbols& syms, const std::string& path) {
  std::vector<uint32_t> var_ids;
  const uint32_t n = btf__type_cnt(out);
  const struct btf* base = btf__base_btf(out);
  const uint32_t start = base ? btf__type_cnt(base) : 1;
  for (uint32_t id = start; id < n; ++id)
    if (btf_is_var(btf__type_by_id(out, id))) var_ids.push_back(id);
  if (var_ids.size() != vars.size())
    return file_error(path, "encode.internal",
                    "VAR count changed across dedup (" + std::to_string(vars.size()) + " -> " +
                        std::to_string(var_ids.size()) + ")");
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

}  // namespace

Result<Output> encode_dwarf(const std::string& path, const Options& opts) {
  elf_version(EV_CURRENT);  // before any thread opens the file
  const auto t_start = std::chrono::steady_clock::now();
  auto lap = [last = t_start]() mutable {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - last).count();
    last = now;
    return s;
  };
  double walk = 0, wait = 0, funcs_t = 0, dedup = 0, merge_wait = 0;
  auto main_file = DwarfFile::open(path);
  if (!main_file) return main_file.error();
  auto syms = read_elf_symbols((*main_file)->elf(), path);
  if (!syms) return syms.error();
  auto units = list_units((*main_file)->dwarf(), path);
  if (!units) return units.error();
  if (units->cus.empty()) return file_error(path, "encode.no-dwarf", "no compile units in .debug_info");
  learn_entry_offsets(**main_file, *units, *syms);

  BtfOwner base;
  if (!opts.base_path.empty()) {
    base.p = btf__parse(opts.base_path.c_str(), nullptr);
    if (!base.p)
      return file_error(opts.base_path, "encode.base", "cannot read the base BTF: " +
                                                         std::string(std::strerror(errno)));
  }
  // Split BTF is written as one batch: libbpf cannot append split BTF objects.
  const std::vector<BatchSpan> batches = plan_batches(*units, opts.batch_bytes ? opts.batch_bytes : kBatchBytes, base.p != nullptr);

  SharedState sh;
  sh.syms = &*syms;
  sh.units = &*units;
  sh.opts = &opts;
  sh.base = base.p;
  sh.path = path;
  sh.claimed.assign(syms->funcs.size(), 0);
  sh.claim_kind.assign(syms->funcs.size(), kNoClaim);
  sh.claim_cu.assign(syms->funcs.size(), {});
  sh.dropped.assign(syms->funcs.size(), 0);
  if (opts.features.consistent_func) sh.first_sig.assign(syms->funcs.size(), {});

  unsigned jobs = opts.jobs ? opts.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(batches.size())));

  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::optional<BatchResult>> results(batches.size());
  std::atomic<uint32_t> next{0};
  std::vector<Error> open_errors(jobs);

  // Every worker's handle is made here, serially (see DwarfFile::open_sibling).
  std::vector<Result<std::unique_ptr<DwarfFile>>> files;
  files.reserve(jobs);
  for (unsigned w = 0; w < jobs; ++w) files.push_back(DwarfFile::open_sibling(**main_file, path));
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
  const double setup_s = lap();
  std::vector<std::thread> threads;
  threads.reserve(jobs);
  for (unsigned w = 0; w < jobs; ++w) threads.emplace_back(worker, w);

  Output out;
  out.cus = static_cast<uint32_t>(units->cus.size());
  out.batches = static_cast<uint32_t>(batches.size());
  BtfOwner final_btf;
  std::vector<VarRec> vars;
  std::optional<Error> first_error;
  for (size_t k = 0; k < batches.size(); ++k) {
    BatchResult r;
    {
      auto tw = std::chrono::steady_clock::now();
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return results[k].has_value(); });
      r = std::move(*results[k]);
      results[k].reset();
      merge_wait += std::chrono::duration<double>(std::chrono::steady_clock::now() - tw).count();
    }
    if (opts.progress) opts.progress(k + 1, batches.size());
    walk += r.walk_s;
    wait += r.wait_s;
    funcs_t += r.funcs_s;
    dedup += r.dedup_s;
    BtfOwner b;
    b.p = r.btf;
    if (r.failed) {
      if (!first_error || first_error->rule == "encode.aborted") first_error = r.error;
      continue;
    }
    if (first_error) continue;
    out.cus_skipped += r.cus_skipped;
    for (auto& line : r.explain) out.explain.push_back(std::move(line));
    vars.insert(vars.end(), r.vars.begin(), r.vars.end());
    if (batches.size() == 1) {
      final_btf.p = b.p;
      b.p = nullptr;
      continue;
    }
    if (!final_btf.p) final_btf.p = btf__new_empty();
    if (!final_btf.p || btf__add_btf(final_btf.p, b.p) < 0)
      first_error = file_error(path, "encode.btf", "cannot append batch " + std::to_string(k));
  }
  for (auto& t : threads) t.join();
  const double parallel_s = lap();
  if (first_error) return *first_error;
  if (batches.size() > 1) {
    int err = btf__dedup(final_btf.p, nullptr);
    if (err) return file_error(path, "encode.dedup", "final btf__dedup failed: " + std::to_string(err));
  }
  const double final_dedup_s = lap();
  {
    auto settled = settle_func_drops(final_btf.p, sh.drops, opts.explain ? &out.explain : nullptr, path);
    if (!settled) return settled.error();
    if (*settled != final_btf.p) {
      btf__free(final_btf.p);
      final_btf.p = *settled;
    }
    // Counted in the result: superseded FUNCs that dedup folded into their successor were
    // added twice but are one FUNC.
    out.funcs = 0;
    const struct btf* b = final_btf.p;
    for (uint32_t id = btf__base_btf(b) ? btf__type_cnt(btf__base_btf(b)) : 1; id < btf__type_cnt(b); ++id)
      out.funcs += btf_is_func(btf__type_by_id(b, id));
  }
  const double settle_s = lap();
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "setup %.2fs | parallel phase %.2fs wall (sum over batches: walk %.2fs, turn wait "
                "%.2fs, funcs %.2fs, batch dedup %.2fs; merger idle %.2fs) | final dedup %.2fs | "
                "FUNC drops %.2fs (%zu queued)",
                setup_s, parallel_s, walk, wait, funcs_t, dedup, merge_wait, final_dedup_s,
                settle_s, sh.drops.size());
  out.timing = buf;
  out.entries = syms->entries.describe();
  auto ds = add_datasecs(final_btf.p, vars, *syms, path);
  if (!ds) return ds.error();
  out.vars = static_cast<uint32_t>(vars.size());
  if (syms->big_endian) btf__set_endianness(final_btf.p, BTF_BIG_ENDIAN);
  uint32_t size = 0;
  const void* raw = btf__raw_data(final_btf.p, &size);
  if (!raw) return file_error(path, "encode.btf", "cannot serialize the BTF");
  out.btf.assign(static_cast<const char*>(raw), size);
  return out;
}

}  // namespace btfcheck::encode
