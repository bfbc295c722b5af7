"""BTF producers for the built-in corpus (no pytest dependency).

Used by the e2e tests and by ci/harness:

    from producers import PRODUCERS, available, compile, cases
    for case in cases():
        for prod in case["producers"]:
            if prod in available():
                obj = compile(case["path"], prod, outdir)

PRODUCERS maps a producer name to the command prefix that compiles one C file
into an object carrying a .BTF section; the source path, "-o" and the output
path are appended. A producer may add a step run on the object afterwards
(POST_STEP: "pahole" compiles with host gcc -g and then runs `pahole -J` on the
object, which adds the .BTF section from its DWARF). available() reports which
are installed, with versions (of the tool that makes the BTF: pahole for "pahole").

A case may have several sources (manifest "extra_sources", relative to corpora/):
compile_case() compiles each with the producer and links them with `ld -r` (the
producer's linker: bpf-ld for BPF objects), so compilers leave a .BTF archive (one
member per unit) while pahole, run on the linked object, encodes one BTF from the
DWARF of every unit. compile() stays one source -> one object.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpora"
MANIFEST = CORPUS / "manifest.json"

# Tool binaries may be overridden through the environment (e.g. to try another
# clang or a pahole built from source): BTFCHECK_CLANG, BTFCHECK_GCC,
# BTFCHECK_BPF_GCC, BTFCHECK_PAHOLE.
_BINARIES = {
    "clang": os.environ.get("BTFCHECK_CLANG", "clang"),
    "gcc": os.environ.get("BTFCHECK_GCC", "gcc"),
    "bpf-gcc": os.environ.get("BTFCHECK_BPF_GCC", "bpf-gcc"),
    "pahole": os.environ.get("BTFCHECK_PAHOLE", "pahole"),
}

PRODUCERS: dict[str, list[str]] = {
    "clang": [_BINARIES["clang"], "-target", "bpf", "-g", "-O2", "-c"],
    "gcc": [_BINARIES["gcc"], "-gbtf", "-O2", "-c"],
    "bpf-gcc": [_BINARIES["bpf-gcc"], "-gbtf", "-O2", "-c"],
    "pahole": [_BINARIES["gcc"], "-g", "-O2", "-c"],
}

# Run on the (linked) object after compiling; the object path is appended.
POST_STEP: dict[str, list[str]] = {
    "pahole": [_BINARIES["pahole"], "-J"],
}

# The tool whose version names the producer's output (the BTF encoder).
_VERSION_TOOL = {"pahole": _BINARIES["pahole"]}

# `ld -r` for objects of each producer: BPF objects need the BPF linker.
_LINKER = {
    "clang": "bpf-ld",
    "bpf-gcc": "bpf-ld",
    "gcc": "ld",
    "pahole": "ld",
}

# Object-file suffix per producer ("bpf-gcc" -> "bpf_gcc").
def _suffix(producer: str) -> str:
    return producer.replace("-", "_")


@lru_cache(maxsize=None)
def version(producer: str) -> str | None:
    """Version string of the producer's compiler (pahole's for "pahole"), or None when
    it or any tool it needs is not installed."""
    if producer in POST_STEP and shutil.which(PRODUCERS[producer][0]) is None:
        return None
    exe = shutil.which(_VERSION_TOOL.get(producer, PRODUCERS[producer][0]))
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True,
                             timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    first = out.splitlines()[0] if out else ""
    m = re.search(r"(\d+\.\d+(?:\.\d+)?)", first)
    return m.group(1) if m else (first or "unknown")


def available() -> dict[str, str]:
    """Installed producers -> version, in PRODUCERS order."""
    return {p: v for p in PRODUCERS if (v := version(p)) is not None}


def missing_reason(producer: str) -> str | None:
    """None when the producer can run, else a human-readable skip reason."""
    if producer not in PRODUCERS:
        return f"unknown producer {producer!r}"
    if version(producer) is None:
        tools = [PRODUCERS[producer][0], *POST_STEP.get(producer, [])[:1]]
        return f"{' or '.join(tools)} not installed (producer {producer})"
    return None


class CompileError(RuntimeError):
    pass


def compile(case_path, producer: str, outdir, extra_flags=()) -> Path:  # noqa: A001
    """Compile one corpus C file with `producer` into outdir; return the object path.

    Raises CompileError (with the compiler's stderr) on failure, and
    FileNotFoundError when the compiler is not installed.
    """
    case_path = Path(case_path)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if producer not in PRODUCERS:
        raise ValueError(f"unknown producer {producer!r}")
    if version(producer) is None:
        raise FileNotFoundError(missing_reason(producer))
    out = outdir / f"{case_path.stem}.{_suffix(producer)}.o"
    _run([*PRODUCERS[producer], *extra_flags, str(case_path), "-o", str(out)])
    if producer in POST_STEP:
        _post_step(producer, out)
    return out


def _post_step(producer: str, obj: Path) -> None:
    """The producer's post step (pahole -J) on `obj`. pahole hands the object's name to
    system() (`llvm-objcopy --add-section .BTF=TMP NAME`, unquoted), so it runs in the
    object's directory on a generated name, never on one taken from a case."""
    tool = shutil.which(POST_STEP[producer][0]) or POST_STEP[producer][0]
    plain = obj.with_name(f"post-step-{os.getpid()}.o")
    obj.replace(plain)
    try:
        _run([tool, *POST_STEP[producer][1:], plain.name], cwd=obj.parent)
    finally:
        plain.replace(obj)


def _run(cmd: list[str], cwd=None) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, cwd=cwd)
    if r.returncode != 0:
        raise CompileError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")


def sources(case: dict) -> list[Path]:
    """Every source of a case (its "path" first, then "extra_sources"), absolute."""
    return [Path(case["path"]),
            *((CORPUS / s).resolve() for s in case.get("extra_sources", []))]


def compile_case(case: dict, producer: str, outdir) -> Path:
    """Compile a case (a dict from cases()) with `producer`; return the object path.

    One source: as compile(). Several: each unit compiled without the producer's post
    step, the objects linked with `ld -r` (bpf-ld for BPF objects), then the post step
    (pahole -J) run on the linked object.
    """
    srcs = sources(case)
    if len(srcs) == 1:
        return compile(srcs[0], producer, outdir)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if version(producer) is None:
        raise FileNotFoundError(missing_reason(producer))
    linker = shutil.which(_LINKER[producer])
    if linker is None:
        raise FileNotFoundError(f"{_LINKER[producer]} not installed (links {case['name']})")
    units = []
    for i, src in enumerate(srcs):
        unit = outdir / f"{case['name']}.unit{i}.{_suffix(producer)}.o"
        _run([*PRODUCERS[producer], str(src), "-o", str(unit)])
        units.append(str(unit))
    out = outdir / f"{case['name']}.{_suffix(producer)}.o"
    _run([linker, "-r", *units, "-o", str(out)])
    if producer in POST_STEP:
        _post_step(producer, out)
    return out


def _feature_of(path: Path) -> str:
    """The feature line(s) of a case: its leading /* ... */ comment, "Feature: " dropped."""
    m = re.match(r"\s*/\*(.*?)\*/", path.read_text(errors="replace"), re.S)
    if not m:
        return ""
    text = " ".join(line.strip(" *\t") for line in m.group(1).splitlines())
    return re.sub(r"\s+", " ", text).strip().removeprefix("Feature: ")


def cases(manifest: Path | None = None) -> list[dict]:
    """Corpus cases, each with an absolute "path" added.

    Entries: name, source (relative to corpora/), feature, producers (list), plus optional
    notes, extra_sources (more units, linked with ld -r) and not_applicable (producer ->
    why it cannot compile the case). Manifest entries come first, in manifest order (sorted by name); any
    cases/*.c file the manifest does not list yet (e.g. one just added) follows, sorted,
    with its feature taken from its leading comment and every producer applying.
    """
    manifest = Path(manifest or MANIFEST)
    data = json.loads(manifest.read_text())
    out = []
    listed = set()
    for c in data["cases"]:
        c = dict(c)
        c["path"] = (manifest.parent / c["source"]).resolve()
        listed.add(c["path"])
        out.append(c)
    for path in sorted((manifest.parent / "cases").glob("*.c")):
        path = path.resolve()
        if path in listed:
            continue
        out.append({"name": path.stem, "source": f"cases/{path.name}",
                    "feature": _feature_of(path), "producers": list(PRODUCERS),
                    "path": path})
    return out


if __name__ == "__main__":
    for p, v in available().items():
        print(f"{p}\t{v}")
    for c in cases():
        print(f"{c['name']}\t{','.join(c['producers'])}\t{c['feature'][:60]}")
