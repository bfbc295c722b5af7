"""verify --kernel <running release> against the running kernel's BPF_BTF_LOAD (issue 13), on
pahole master's BTF of Debian's 6.12 vmlinux (corpora/encode-pahole-master --features F):

  default       accepted by both
  +layout       a 32-byte header with a layout section: 6.18 rejects it (E2BIG,
                "Unsupported btf_header"), verify --kernel 6.18 too; verify --kernel next
                accepts it
  +global_var   overlapping DATASEC entries: rejected by both ("Invalid offset" at the
                kernel's first type)
  +attributes   accepted by both

Skips with the reason when BPF_BTF_LOAD is not permitted or an encoding is not cached.
"""
from __future__ import annotations

import ctypes
import json
import os
import platform
import subprocess
from pathlib import Path

import pytest

from real_inputs import CACHE, require_or_skip

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
FEATURES = ("default", "+layout", "+global_var", "+attributes")
_SYS_BPF = {"x86_64": 321, "aarch64": 280}.get(platform.machine())


class _Attr(ctypes.Structure):
    _fields_ = [("btf", ctypes.c_uint64), ("btf_log_buf", ctypes.c_uint64),
                ("btf_size", ctypes.c_uint32), ("btf_log_size", ctypes.c_uint32),
                ("btf_log_level", ctypes.c_uint32)]


def btf_load(blob: bytes, log_size: int = 0) -> tuple[int, str] | None:
    """(errno, log) of BPF_BTF_LOAD (errno 0: accepted); None when not permitted here. Without
    a log the verdict cannot be truncated (a vmlinux's log overflows small buffers)."""
    if _SYS_BPF is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    data = ctypes.create_string_buffer(blob, len(blob))
    log = ctypes.create_string_buffer(max(log_size, 1))
    attr = _Attr(ctypes.addressof(data), ctypes.addressof(log) if log_size else 0, len(blob),
                 log_size, 1 if log_size else 0)
    fd = libc.syscall(ctypes.c_long(_SYS_BPF), ctypes.c_int(18), ctypes.byref(attr),
                      ctypes.c_uint(ctypes.sizeof(attr)))
    if fd >= 0:
        os.close(fd)
        return 0, ""
    err = ctypes.get_errno()
    return None if err in (1, 13, 38) else (err, log.value.decode(errors="replace"))


def encoding(features: str) -> Path | None:
    found = sorted(CACHE.glob(f"derived/*/6.12.*/{features}/vmlinux-6.12.*.btf"))
    return found[-1] if found else None


def running_release() -> str:
    return platform.release()


@pytest.mark.parametrize("features", FEATURES)
def test_verify_agrees_with_the_running_kernel(features):
    f = encoding(features)
    if f is None:
        require_or_skip("pahole-master|cloud-6.12", f"pahole master's {features} BTF of the 6.12 vmlinux is not cached "
                    f"(corpora/encode-pahole-master --features {features} VMLINUX)")
    blob = f.read_bytes()
    verdict = btf_load(blob)
    if verdict is None:
        require_or_skip("kernel-load", "BPF_BTF_LOAD not permitted here (needs root or CAP_BPF)")
    r = subprocess.run([str(BTFCHECK), "verify", "--json", "--kernel", running_release(), f],
                       capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode in (0, 1), r.stderr
    doc = json.loads(r.stdout)
    assert doc["kernel"] == ".".join(running_release().split("-")[0].split(".")[:3])
    accepted = verdict[0] == 0
    assert doc["valid"] == accepted, (features, verdict, doc["violations"][:3])
    if accepted:
        return
    _, log = btf_load(blob, 16 << 20)
    last = log.strip().splitlines()[-1]
    rules = {v["rule"] for v in doc["violations"]}
    if "Unsupported btf_header" in last:
        assert "hdr.unsupported" in rules
        nxt = subprocess.run([str(BTFCHECK), "verify", "--kernel", "next", f],
                             capture_output=True, text=True, timeout=300, check=False)
        assert nxt.returncode == 0, nxt.stdout[-1000:]
    elif "Invalid offset" in last:   # "type_id=N offset=O size=S Invalid offset"
        offset = last.split("offset=")[1].split()[0]
        assert "datasec.offset" in rules or any("overlap" in v["message"] for v in doc["violations"])
        assert any(offset in v["message"] for v in doc["violations"]), (last, doc["violations"][:3])
    else:
        pytest.fail(f"unexpected kernel verdict for {features}: {last}")
