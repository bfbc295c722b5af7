// btfcheck_synth_btf: writes the synthetic benchmark BTF (bench/synth_btf.h) to a raw .btf file,
// so whole-process comparisons (bench/compare_bpftool.sh) can use it too.
// usage: btfcheck_synth_btf OUT.btf [GROUPS]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/synth_btf.h"
#include "cli/args.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: btfcheck_synth_btf OUT.btf [GROUPS]\n");
    return 2;
  }
  btfcheck::bench::SynthOptions opts;
  if (argc == 3) {
    char* end = nullptr;
    unsigned long g = std::strtoul(argv[2], &end, 10);
    if (!end || *end || g == 0 || g > 100000) {
      std::fprintf(stderr, "btfcheck_synth_btf: GROUPS must be 1..100000\n");
      return 2;
    }
    opts.groups = uint32_t(g);
  }
  auto synth = btfcheck::bench::make_synthetic_btf(opts);
  std::string content(synth.bytes.begin(), synth.bytes.end());
  std::string err = btfcheck::cli::write_output(argv[1], content);
  if (!err.empty()) {
    std::fprintf(stderr, "btfcheck_synth_btf: %s\n", err.c_str());
    return 2;
  }
  std::printf("%s: %u types, %zu bytes\n", argv[1], synth.types, synth.bytes.size());
  return 0;
}
