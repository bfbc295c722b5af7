#!/usr/bin/env bash
# Regenerates the committed fuzz seed corpus tests/fuzz/seeds/: small, real BTF blobs
# (a few KB each) as the installed producers emit them.
#   <case>.<producer>.btf   the .BTF section of corpora/cases/<case>.c compiled with
#                           clang -target bpf (little endian), clang -target bpfeb (big
#                           endian), gcc -gbtf (x86-64 object) and bpf-gcc -gbtf
#   archive.gcc.btf         .BTF of `ld -r` over two gcc objects: a concatenated archive
#   split.pahole.btf        base + split BTF from pahole --btf_base, concatenated, so that
#                           the fuzz target's "member 1 on member 0" path sees a real split
#   pair.<what>.btf         two blobs concatenated (8-byte padded): fuzz_diff's A and B
# Producers that are not installed are skipped with a message; identical blobs are stored
# once. clang's output is byte-for-byte reproducible; gcc 12's and bpf-gcc 12's -gbtf is NOT
# (the order of VAR records changes from run to run, an upstream finding), so regenerating
# rewrites those seeds with equivalent but different bytes.
# usage: tests/fuzz/make_seeds.sh [OUT_DIR]   (default tests/fuzz/seeds)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$root/tests/fuzz/seeds}
cases_dir=$root/corpora/cases
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
rm -f "$out"/*.btf

# Cases compiled by every producer; clang little endian gets all of them.
few=(all_kinds bitfields enum64 func_ptrs sections typedef_chain anon_nested)

have() { command -v "$1" >/dev/null 2>&1; }
extract() {   # extract OBJ NAME
  if llvm-objcopy --dump-section ".BTF=$out/$2.btf" "$1" "$tmp/discard.o" 2>/dev/null; then
    echo "  $2.btf ($(stat -c %s "$out/$2.btf") bytes)"
  else
    echo "  $2: no .BTF section, skipped"
  fi
}
compile() {   # compile PRODUCER CASE -> object path on stdout, or nothing
  local prod=$1 case=$2 obj="$tmp/$2.$1.o"
  local src="$cases_dir/$case.c"
  [ -f "$src" ] || return 0
  case "$prod" in
    clang)   clang -target bpf -g -O2 -c "$src" -o "$obj" ;;
    clang-eb) clang -target bpfeb -g -O2 -c "$src" -o "$obj" ;;
    gcc)     gcc -gbtf -O2 -c "$src" -o "$obj" ;;
    bpf-gcc) bpf-gcc -gbtf -O2 -c "$src" -o "$obj" ;;
  esac 2>"$tmp/err" || { echo "  $case with $prod does not compile, skipped: $(head -1 "$tmp/err")" >&2; return 0; }
  echo "$obj"
}

have llvm-objcopy || { echo "make_seeds: llvm-objcopy is needed" >&2; exit 1; }
for prod in clang clang-eb gcc bpf-gcc; do
  exe=${prod%-eb}
  if ! have "$exe"; then echo "make_seeds: $exe not installed, no $prod seeds"; continue; fi
  echo "make_seeds: $prod"
  if [ "$prod" = clang ]; then
    list=()
    for f in "$cases_dir"/*.c; do list+=("$(basename "$f" .c)"); done
  else
    list=("${few[@]}")
  fi
  for c in "${list[@]}"; do
    obj=$(compile "$prod" "$c")
    [ -n "$obj" ] && extract "$obj" "$c.$prod"
  done
done

if have gcc && have ld; then
  echo "make_seeds: archive (ld -r of two gcc -gbtf objects)"
  a=$(compile gcc bitfields); b=$(compile gcc enums_signed)
  if [ -n "$a" ] && [ -n "$b" ]; then
    ld -r "$a" "$b" -o "$tmp/archive.o" && extract "$tmp/archive.o" archive.gcc
  fi
fi

if have gcc && have pahole; then
  echo "make_seeds: split BTF (pahole --btf_base)"
  cat >"$tmp/base.c" <<'C'
struct sb { int x; long y; };
struct sb gb;
int base_fn(struct sb *p) { return p->x; }
C
  cat >"$tmp/split.c" <<'C'
struct sb { int x; long y; };
struct sa { struct sb *pb; char c[4]; unsigned long u; };
struct sa ga;
int split_fn(struct sa *p) { return p->c[0]; }
C
  gcc -g -O2 -c "$tmp/base.c" -o "$tmp/base.o"
  gcc -g -O2 -c "$tmp/split.c" -o "$tmp/split.o"
  if pahole --btf_encode_detached="$tmp/base.btf" "$tmp/base.o" >/dev/null 2>&1 &&
     pahole --btf_base="$tmp/base.btf" --btf_encode_detached="$tmp/split.btf" "$tmp/split.o" \
       >/dev/null 2>&1; then
    # The base blob is a multiple of 4 bytes long only by luck; pad it to 8 with zeros as
    # a linker would, which split_archive accepts.
    cp "$tmp/base.btf" "$tmp/both"
    pad=$(( (8 - $(stat -c %s "$tmp/both") % 8) % 8 ))
    head -c "$pad" /dev/zero >>"$tmp/both"
    cat "$tmp/split.btf" >>"$tmp/both"
    cp "$tmp/both" "$out/split.pahole.btf"
    echo "  split.pahole.btf ($(stat -c %s "$out/split.pahole.btf") bytes)"
  else
    echo "  pahole could not encode, skipped"
  fi
fi

# Pairs for fuzz_diff, which diffs member 0 against member 1 of an archive: the same case
# from two producers (clang vs gcc: different int names, FWDs, DATASECs), and a case
# against another one, each padded to 8 bytes and concatenated.
pair() {   # pair NAME A B
  [ -f "$out/$2.btf" ] && [ -f "$out/$3.btf" ] || { echo "  $1: $2 or $3 missing, skipped"; return 0; }
  cp "$out/$2.btf" "$tmp/pair"
  head -c $(( (8 - $(stat -c %s "$tmp/pair") % 8) % 8 )) /dev/zero >>"$tmp/pair"
  cat "$out/$3.btf" >>"$tmp/pair"
  cp "$tmp/pair" "$out/$1.btf"
  echo "  $1.btf ($(stat -c %s "$out/$1.btf") bytes)"
}
echo "make_seeds: pairs for fuzz_diff"
pair pair.bitfields.clang-gcc bitfields.clang bitfields.gcc
pair pair.func_ptrs.clang-bpf-gcc func_ptrs.clang func_ptrs.bpf-gcc
pair pair.recursive-fwd_decl.clang recursive.clang fwd_decl.clang

# Identical blobs (the same case where producers agree) are kept once.
declare -A seen=()
for f in $(ls "$out"/*.btf | sort); do
  h=$(sha256sum "$f" | cut -d' ' -f1)
  if [ -n "${seen[$h]:-}" ]; then rm -f "$f"; else seen[$h]=1; fi
done
n=$(ls "$out"/*.btf | wc -l)
bytes=$(cat "$out"/*.btf | wc -c)
echo "make_seeds: $n seeds, $bytes bytes in $out"
