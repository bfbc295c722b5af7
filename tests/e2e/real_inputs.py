"""Where the real inputs are: Debian's cloud vmlinux and its module sample, as
corpora/fetch-cloud-vmlinux caches them (whatever kernel version Debian currently ships),
or where BTFCHECK_VMLINUX / BTFCHECK_MODULES_DIR point. Tests skip, naming the path,
when they are absent."""
from __future__ import annotations

import os
from pathlib import Path

CACHE = Path(os.environ.get("BTFCHECK_CACHE") or Path.home() / ".cache" / "btfcheck")


def cloud_vmlinux() -> Path:
    """$BTFCHECK_VMLINUX, else the cached vmlinux-*-cloud-amd64 (newest version first);
    the glob pattern itself when none is cached, so `.exists()` is False and messages
    name what was looked for."""
    if env := os.environ.get("BTFCHECK_VMLINUX"):
        return Path(env)
    boot = CACHE / "usr/lib/debug/boot"
    found = sorted(boot.glob("vmlinux-*-cloud-amd64"), reverse=True)
    return found[0] if found else boot / "vmlinux-*-cloud-amd64"


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
