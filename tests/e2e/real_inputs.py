"""Where the real inputs are: Debian's cloud vmlinux and its module sample, as
corpora/fetch-cloud-vmlinux caches them (whatever kernel version Debian currently ships),
or where BTFCHECK_VMLINUX / BTFCHECK_MODULES_DIR point; the tiny kernel's builds.

And how a test skips when a resource is absent: require_or_skip(RESOURCE, reason), with
RESOURCE one of tests/resources.txt. The reason starts with "[RESOURCE]"; when
BTFCHECK_REQUIRE lists the resource, the test fails instead (ci/test sets it)."""
from __future__ import annotations

import importlib
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("BTFCHECK_CACHE") or Path.home() / ".cache" / "btfcheck")
RESOURCES_FILE = REPO / "tests" / "resources.txt"
# Tools whose resource is their package (tests/resources.txt), not their own name.
TOOL_RESOURCE = {"ld": "binutils", "as": "binutils", "objcopy": "binutils", "readelf": "binutils",
                 "bpf-gcc": "gcc-bpf", "bpf-ld": "gcc-bpf", "cc": "gcc"}


def known_resources() -> dict[str, str]:
    """tests/resources.txt: resource name -> what provides it."""
    out = {}
    for line in RESOURCES_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, what = line.partition(" ")
            out[name] = what.strip()
    return out


def required_resources() -> set[str]:
    """The names in $BTFCHECK_REQUIRE (comma-separated); ValueError naming any that
    tests/resources.txt does not list."""
    names = {n.strip() for n in os.environ.get("BTFCHECK_REQUIRE", "").split(",") if n.strip()}
    if unknown := sorted(names - known_resources().keys()):
        raise ValueError(f"BTFCHECK_REQUIRE names unknown resource(s) {', '.join(unknown)} "
                         f"(known: {', '.join(known_resources())})")
    return names


def require_or_skip(resource: str, reason: str):
    """Skips the test with "[RESOURCE] reason", or fails it when BTFCHECK_REQUIRE lists the
    resource. RESOURCE may be "A|B": the test needs several (or one of several) and one is
    absent; it fails when any of them is required. Never returns."""
    __tracebackhide__ = True   # a skip is reported at the test's line
    import pytest
    names = resource.split("|")
    if unknown := [n for n in names if n not in known_resources()]:
        pytest.fail(f"unknown test resource {', '.join(unknown)} (tests/resources.txt): {reason}",
                    pytrace=False)
    if required := [n for n in names if n in required_resources()]:
        pytest.fail(f"BTFCHECK_REQUIRE lists {'|'.join(required)}, but: {reason}", pytrace=False)
    pytest.skip(f"[{resource}] {reason}")


def tool_resource(tool: str) -> str:
    """The resource a tool or producer (tests/e2e/producers.py) comes with."""
    return TOOL_RESOURCE.get(tool, tool)


def require_module(module: str, resource: str):
    """The imported Python module, or require_or_skip(resource) when it is not installed."""
    __tracebackhide__ = True   # a skip is reported at the test's line
    try:
        return importlib.import_module(module)
    except ImportError:
        require_or_skip(resource, f"Python module {module} is not installed")


def cloud_vmlinux() -> Path:
    """$BTFCHECK_VMLINUX, else the cached vmlinux-*-cloud-amd64 (newest version first);
    the glob pattern itself when none is cached, so `.exists()` is False and messages
    name what was looked for."""
    if env := os.environ.get("BTFCHECK_VMLINUX"):
        return Path(env)
    boot = CACHE / "usr/lib/debug/boot"
    found = sorted(boot.glob("vmlinux-*-cloud-amd64"), reverse=True)
    return found[0] if found else boot / "vmlinux-*-cloud-amd64"


def require_cloud() -> Path:
    """Resource cloud: cloud_vmlinux() when it is a file, else a skip naming the path looked
    for and how to cache it."""
    __tracebackhide__ = True   # a skip is reported at the test's line
    v = cloud_vmlinux()
    if not v.is_file():
        require_or_skip("cloud", f"Debian's cloud vmlinux is not cached ({v}): corpora/fetch-cloud-vmlinux "
                        "fetches it, or set BTFCHECK_VMLINUX")
    return v


def cloud_version() -> str:
    """The kernel release of cloud_vmlinux(), e.g. 6.1.0-57-cloud-amd64."""
    return cloud_vmlinux().name.removeprefix("vmlinux-")


def cloud_modules_dir() -> Path:
    """$BTFCHECK_MODULES_DIR, else the module tree of cloud_vmlinux()'s release."""
    if env := os.environ.get("BTFCHECK_MODULES_DIR"):
        return Path(env)
    return cloud_vmlinux().parent.parent / "lib/modules" / cloud_version()


def tiny_kernel_dir() -> Path:
    """$BTFCHECK_TINY, else the newest tiny/<source version>/ that corpora/fetch-tiny-kernel
    built (its dwarf/, gcc-btf/ and pahole-obj/ variants)."""
    if env := os.environ.get("BTFCHECK_TINY"):
        return Path(env)
    found = sorted((p for p in (CACHE / "tiny").glob("*") if not p.name.startswith("src-")),
                   reverse=True)
    return found[0] if found else CACHE / "tiny" / "<version>"


def tiny_output(variant: str, name: str = "vmlinux.o") -> Path:
    """tiny_kernel_dir()/VARIANT/NAME, or require_or_skip("tiny") when
    corpora/fetch-tiny-kernel has not built it."""
    __tracebackhide__ = True   # a skip is reported at the test's line
    p = tiny_kernel_dir() / variant / name
    if not p.is_file():
        require_or_skip("tiny", f"tiny kernel variant '{variant}' not built ({p}); "
                        f"run corpora/fetch-tiny-kernel --variants {variant}")
    return p


# --- inputs of the 6.12, arm64 and pahole-master resources (corpora/fetch-debian-kernel,
# corpora/fetch-pahole-master): each finder returns a path that exists, or None.

def _version_key(p: Path) -> list:
    """Orders vmlinux-6.12.99-... before vmlinux-6.12.118-... (numbers compared as numbers)."""
    import re   # here, not at the top: keeps this block's merge apart from the imports'
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name)]


def _env_path(var: str) -> Path | None:
    """$VAR as a path when it is set and exists, else None (the resource is absent)."""
    value = os.environ.get(var)
    return Path(value) if value and Path(value).exists() else None


def debian_vmlinux(release: str, flavour: str) -> Path | None:
    """The newest vmlinux-<release>.*-<flavour> that corpora/fetch-debian-kernel cached: 6.1
    cloud-amd64 in the cache root (where fetch-cloud-vmlinux puts it), the others under
    debian/<release>-<flavour>/. None when it is not cached."""
    root = CACHE if (release, flavour) == ("6.1", "cloud-amd64") else CACHE / "debian" / f"{release}-{flavour}"
    found = sorted((root / "usr/lib/debug/boot").glob(f"vmlinux-{release}.*-{flavour}"), key=_version_key)
    return found[-1] if found else None


def debian_modules_dir(vmlinux: Path) -> Path:
    """The module sample's tree beside a cached vmlinux: .../lib/modules/<release>/."""
    return vmlinux.parent.parent / "lib/modules" / vmlinux.name.removeprefix("vmlinux-")


def cloud_612_vmlinux() -> Path | None:
    """Resource cloud-6.12: $BTFCHECK_VMLINUX_612, else Debian's 6.12 cloud-amd64 vmlinux
    (corpora/fetch-debian-kernel --release 6.12); its modules: debian_modules_dir()."""
    return _env_path("BTFCHECK_VMLINUX_612") or debian_vmlinux("6.12", "cloud-amd64")


def arm64_vmlinux() -> Path | None:
    """Resource arm64: $BTFCHECK_VMLINUX_ARM64, else Debian's 6.1 arm64 vmlinux
    (corpora/fetch-debian-kernel --arch arm64)."""
    return _env_path("BTFCHECK_VMLINUX_ARM64") or debian_vmlinux("6.1", "arm64")


def arm64_612_vmlinux() -> Path | None:
    """Resource arm64-6.12: $BTFCHECK_VMLINUX_ARM64_612, else Debian's 6.12 arm64 vmlinux
    (corpora/fetch-debian-kernel --release 6.12 --arch arm64); its modules: debian_modules_dir()."""
    return _env_path("BTFCHECK_VMLINUX_ARM64_612") or debian_vmlinux("6.12", "arm64")


def pahole_master() -> Path | None:
    """Resource pahole-master: $BTFCHECK_PAHOLE_MASTER, else the most recently built pahole
    under pahole-master/<source key>/ (corpora/fetch-pahole-master; a build counts once its
    stamp is written). Builds nothing."""
    if env := _env_path("BTFCHECK_PAHOLE_MASTER"):
        return env
    built = [d for d in (CACHE / "pahole-master").glob("*")
             if (d / ".btfcheck-stamp").is_file() and (d / "build" / "pahole").is_file()]
    if not built:
        return None
    return max(built, key=lambda d: ((d / ".btfcheck-stamp").stat().st_mtime, d.name)) / "build" / "pahole"


# Resource name -> finder, for the skip logic (tests/resources.txt names the resources).
FINDERS = {"cloud-6.12": cloud_612_vmlinux, "arm64": arm64_vmlinux, "arm64-6.12": arm64_612_vmlinux,
           "pahole-master": pahole_master}


def require_input(resource: str, reason: str) -> Path:
    """FINDERS[RESOURCE]()'s path, or require_or_skip(RESOURCE, REASON) when it is absent."""
    __tracebackhide__ = True   # a skip is reported at the test's line
    path = FINDERS[resource]()
    if path is None:
        require_or_skip(resource, reason)
    return path


def require_cloud_612() -> Path:
    """Resource cloud-6.12's vmlinux, or a skip saying how to cache it."""
    __tracebackhide__ = True
    return require_input("cloud-6.12", "Debian's 6.12 cloud vmlinux is not cached "
                         "(corpora/fetch-debian-kernel --release 6.12)")


def require_modules(vmlinux: Path, names, resource: str) -> dict[str, Path]:
    """NAMES (module names, no .ko) of the module sample cached beside VMLINUX
    (debian_modules_dir), by name; a skip for RESOURCE (VMLINUX's) naming those missing."""
    __tracebackhide__ = True
    kos = {p.stem: p for p in debian_modules_dir(vmlinux).rglob("*.ko")}
    if missing := [n for n in names if n not in kos]:
        require_or_skip(resource, f"modules {missing} are not in the cached sample")
    return {n: kos[n] for n in names}


def require_612_modules(vmlinux: Path, names) -> dict[str, Path]:
    """require_modules for the 6.12 cloud VMLINUX (resource cloud-6.12)."""
    __tracebackhide__ = True
    return require_modules(vmlinux, names, "cloud-6.12")


def require_pahole_master() -> Path:
    """Resource pahole-master's binary, or a skip saying how to build it."""
    __tracebackhide__ = True
    return require_input("pahole-master", "pahole master is not built (corpora/fetch-pahole-master)")


def require_producer(producer: str) -> None:
    """Returns when tests/e2e/producers.py's PRODUCER can run, else require_or_skip for the
    resource of its tool, with producers.missing_reason()."""
    __tracebackhide__ = True   # a skip is reported at the test's line
    import producers   # here: producers.py is a sibling module the finders above do not need
    if reason := producers.missing_reason(producer):
        require_or_skip(tool_resource(producer), reason)
