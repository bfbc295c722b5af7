// btfcheck_bench: Google Benchmark timings of the read + verify path.
//
// Inputs (each registered only when present; an absent one is reported on stderr):
//   synthetic      a ~100k-type vmlinux-shaped BTF built in memory (bench/synth_btf.h)
//   sys_vmlinux    /sys/kernel/btf/vmlinux (the running kernel's raw BTF)
//   cloud_vmlinux  the .BTF section of $BTFCHECK_VMLINUX, or of Debian's cloud vmlinux at
//                  ~/.cache/btfcheck/usr/lib/debug/boot/vmlinux-*-cloud-amd64
// Benchmarks per input:
//   BM_Parse/INPUT       Btf::parse of bytes already in memory (framing + word decode)
//   BM_Verify/INPUT      verify::verify of an already parsed Btf, default options
//   BM_ReadVerify/INPUT  the whole of `btfcheck verify`'s work: load the file (ELF section
//                        or raw), parse, verify; for synthetic, copy + parse + verify
// Counters: types, violations (expected 0 on every input here) and bytes/s of BTF.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/synth_btf.h"
#include "btf/btf.h"
#include "btf/load.h"
#include "comparator/verify/verify.h"
#include "tests/unit/test_inputs.h"

namespace {

using btfcheck::btf::Btf;
using btfcheck::btf::ParseOptions;

struct Input {
  std::string name;
  std::string path;              // "" for in-memory inputs
  std::vector<uint8_t> bytes;    // the BTF blob
  std::string section;
};

std::shared_ptr<const Btf> parse_or_die(const Input& in, benchmark::State& state) {
  auto b = Btf::parse(in.bytes, ParseOptions{in.path.empty() ? in.name : in.path, in.section, nullptr});
  if (!b) {
    state.SkipWithError(("parse failed: " + b.error().str()).c_str());
    return nullptr;
  }
  return *b;
}

void set_counters(benchmark::State& state, const Input& in, uint32_t types, size_t violations) {
  state.counters["types"] = types;
  state.counters["violations"] = double(violations);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(in.bytes.size()));
}

void BM_Parse(benchmark::State& state, const Input* in) {
  uint32_t types = 0;
  for (auto _ : state) {
    auto b = parse_or_die(*in, state);
    if (!b) return;
    types = b->type_count() - 1;
    benchmark::DoNotOptimize(b.get());
  }
  set_counters(state, *in, types, 0);
}

void BM_Verify(benchmark::State& state, const Input* in) {
  auto b = parse_or_die(*in, state);
  if (!b) return;
  size_t violations = 0;
  for (auto _ : state) {
    auto report = btfcheck::verify::verify(*b);
    violations = report.violations.size();
    benchmark::DoNotOptimize(report.violations.data());
  }
  set_counters(state, *in, b->type_count() - 1, violations);
}

void BM_ReadVerify(benchmark::State& state, const Input* in) {
  size_t violations = 0;
  uint32_t types = 0;
  for (auto _ : state) {
    std::vector<uint8_t> bytes;
    std::string file = in->name, section;
    if (in->path.empty()) {
      bytes = in->bytes;
    } else {
      auto blob = btfcheck::btf::load_blob(in->path);
      if (!blob) {
        state.SkipWithError(blob.error().str().c_str());
        return;
      }
      bytes = std::move(blob->bytes);
      file = blob->file;
      section = blob->section;
    }
    auto b = Btf::parse(std::move(bytes), ParseOptions{file, section, nullptr});
    if (!b) {
      state.SkipWithError(b.error().str().c_str());
      return;
    }
    auto report = btfcheck::verify::verify(**b);
    violations = report.violations.size();
    types = (*b)->type_count() - 1;
    benchmark::DoNotOptimize(report.violations.data());
  }
  set_counters(state, *in, types, violations);
}

using btfcheck::testing::cloud_vmlinux_path;

// Loads a file input; nullptr (with a message) when absent or unreadable.
std::unique_ptr<Input> file_input(const std::string& name, const std::string& path) {
  auto blob = btfcheck::btf::load_blob(path);
  if (!blob) {
    std::fprintf(stderr, "btfcheck_bench: skipping %s: %s\n", name.c_str(),
                 blob.error().str().c_str());
    return nullptr;
  }
  auto in = std::make_unique<Input>();
  in->name = name;
  in->path = path;
  in->bytes = std::move(blob->bytes);
  in->section = blob->section;
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  std::vector<std::unique_ptr<Input>> inputs;
  {
    auto synth = btfcheck::bench::make_synthetic_btf();
    auto in = std::make_unique<Input>();
    in->name = "synthetic";
    in->bytes = std::move(synth.bytes);
    inputs.push_back(std::move(in));
  }
  if (auto in = file_input("sys_vmlinux", "/sys/kernel/btf/vmlinux")) inputs.push_back(std::move(in));
  if (auto in = file_input("cloud_vmlinux", cloud_vmlinux_path())) inputs.push_back(std::move(in));

  for (const auto& in : inputs) {
    const Input* p = in.get();
    benchmark::RegisterBenchmark(("BM_Parse/" + in->name).c_str(), BM_Parse, p)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_Verify/" + in->name).c_str(), BM_Verify, p)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_ReadVerify/" + in->name).c_str(), BM_ReadVerify, p)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
