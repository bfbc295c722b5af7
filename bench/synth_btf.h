// A synthetic, vmlinux-shaped BTF image built in memory, for benchmarks.
//
// The image is deterministic (a fixed linear congruential generator, no clocks, no
// addresses) and meant to be valid under the kernel's rules, so that a verifier spends its
// time the way it would on a real kernel: see synth_btf.cc for the layout.
#pragma once

#include <cstdint>
#include <vector>

namespace btfcheck::bench {

struct SynthOptions {
  uint32_t groups = 10000;   // ~10 types per group: 10000 groups -> ~100k types
  uint32_t vars = 300;       // VARs in one ".data..percpu" DATASEC at the end
  uint64_t seed = 1;
};

struct SynthBtf {
  std::vector<uint8_t> bytes;   // a raw .btf file image, host byte order
  uint32_t types = 0;           // type count, void excluded
};

SynthBtf make_synthetic_btf(const SynthOptions& opts = {});

}  // namespace btfcheck::bench
