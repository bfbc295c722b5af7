"""Reproducibility of `encode dwarf` on Debian's 6.12 cloud vmlinux and modules: -j1, -j2,
-j4 and -j8 write the same bytes for every feature combination issue 14 names (pahole
master's compat mode with its default features, +layout, +attributes, +global_var, and
btfcheck's own mode; modules split on the vmlinux, plain and +distilled_base). The thread
count only changes who encodes a batch, never what is written.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from real_inputs import require_612_modules, require_cloud_612
from test_encode_master import encode

JOBS = (1, 2, 4, 8)

VMLINUX_COMBOS = [
    ("--compat=pahole-master",),
    ("--compat=pahole-master", "--features=+layout,+attributes"),
    ("--compat=pahole-master", "--features=+global_var"),
    ("--features=default,global_var",),
]


def same_for_every_j(src: Path, tmp_path: Path, *flags: str) -> bytes:
    outs = {}
    for j in JOBS:
        out = tmp_path / f"j{j}.out"
        outs[j] = encode(src, out, *flags, f"-j{j}")
        out.unlink()
    assert len(outs[1]) > 0
    differing = [j for j in JOBS if outs[j] != outs[1]]
    assert not differing, (flags, f"-j{differing} differ from -j1")
    return outs[1]


@pytest.mark.parametrize("flags", VMLINUX_COMBOS, ids=lambda f: " ".join(f))
def test_612_vmlinux_same_bytes_for_every_j(flags, tmp_path):
    same_for_every_j(require_cloud_612(), tmp_path, *flags)


def test_612_modules_same_bytes_for_every_j(tmp_path):
    v = require_cloud_612()
    for m, ko in require_612_modules(v, ("xfs", "virtio_net", "fou")).items():
        plain = same_for_every_j(ko, tmp_path, "--compat=pahole-master", "--base", str(v))
        distilled = same_for_every_j(ko, tmp_path, "--compat=pahole-master", "--base", str(v),
                                     "--features=+distilled_base", "--elf")
        assert plain and distilled and plain != distilled, m
