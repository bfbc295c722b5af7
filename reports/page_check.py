#!/usr/bin/env python3
"""Loads a btfcheck report page in headless Chromium and checks that it renders.

Drives Chromium over the DevTools protocol (python3-websocket): opens about:blank, starts
listening for console messages, exceptions, log entries and network requests, navigates to
the page (file://), waits for the load event, then counts the chart marks per <svg id>
(elements of class "mark" with a non-empty rendered box) and takes a full-page screenshot.
Prints one JSON object: {"marks": {chart_id: n}, "unrendered": {...}, "console_errors": [...],
"requests": [...], "title": ..., "height": ..., "screenshot": path}. Exit 0 when it ran (the
caller judges the counts), 2 when Chromium or websocket is unavailable or the page does
not load; exit 1 with --strict when there were console errors or network requests, and
when a chart named by --require has no rendered mark (or a mark that did not render), or
one named by --expect ID=N has another number of marks.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

COUNT_JS = r"""
(() => {
  const marks = {}, unrendered = {};
  for (const svg of document.querySelectorAll('svg[id]')) {
    let n = 0, bad = 0;
    for (const m of svg.querySelectorAll('.mark')) {
      const b = m.getBBox();
      if (b.width > 0 && b.height > 0) n++; else bad++;
    }
    marks[svg.id] = n;
    if (bad) unrendered[svg.id] = bad;
  }
  return JSON.stringify({marks, unrendered, title: document.title,
                         height: document.documentElement.scrollHeight,
                         tables: document.querySelectorAll('table').length});
})()
"""


def find_chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class Cdp:
    def __init__(self, url: str):
        import websocket  # python3-websocket
        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, method: str, timeout: float = 60) -> None:
        if any(e.get("method") == method for e in self.events):
            return
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            self.events.append(msg)
            if msg.get("method") == method:
                return
        raise TimeoutError(method)


def check(page: Path, screenshot: Path | None, width: int = 1280, max_height: int = 16000) -> dict:
    chromium = find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium is not installed")
    try:
        import websocket  # noqa: F401
    except ImportError as e:
        raise FileNotFoundError("python3-websocket is not installed") from e
    profile = tempfile.mkdtemp(prefix="btfcheck-chromium-")
    proc = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--disable-background-networking", "--disable-sync",
         "--remote-debugging-port=0", "--remote-allow-origins=*", f"--user-data-dir={profile}",
         f"--window-size={width},900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        port = None
        deadline = time.time() + 60
        port_file = Path(profile) / "DevToolsActivePort"
        while time.time() < deadline and port is None:
            if port_file.exists():
                first = port_file.read_text().splitlines()
                if first and first[0].isdigit():
                    port = int(first[0])
                    break
            if proc.poll() is not None:
                raise RuntimeError("chromium exited: " + (proc.stderr.read() or "")[-500:])
            time.sleep(0.1)
        if port is None:
            raise TimeoutError("chromium did not open its DevTools port")
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30).read())
        ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")
        cdp = Cdp(ws_url)
        for domain in ("Page", "Runtime", "Log", "Network"):
            cdp.call(f"{domain}.enable")
        cdp.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1,
                 mobile=False)
        url = page.resolve().as_uri()
        nav = cdp.call("Page.navigate", url=url)
        if nav.get("errorText"):
            raise RuntimeError(f"navigation failed: {nav['errorText']}")
        cdp.wait_event("Page.loadEventFired")
        res = json.loads(cdp.call("Runtime.evaluate", expression=COUNT_JS, returnByValue=True)["result"]["value"])
        errors, requests = [], []
        for e in cdp.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                errors.append(p.get("exceptionDetails", {}).get("text", "exception"))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                errors.append(p["entry"].get("text", ""))
            elif m == "Network.requestWillBeSent":
                u = p.get("request", {}).get("url", "")
                if u != url:
                    requests.append(u)
        res["console_errors"] = errors
        res["requests"] = requests
        if screenshot is not None:
            height = min(int(res.get("height") or 900), max_height)
            shot = cdp.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                            clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            res["screenshot"] = str(screenshot)
        cdp.ws.close()
        return res
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page", type=Path)
    ap.add_argument("--screenshot", type=Path)
    ap.add_argument("--max-height", type=int, default=16000, help="screenshot height limit (px)")
    ap.add_argument("--strict", action="store_true", help="exit 1 on console errors or requests")
    ap.add_argument("--require", action="append", default=[], metavar="ID",
                    help="chart <svg id=ID> must show at least one mark, all rendered (repeatable)")
    ap.add_argument("--expect", action="append", default=[], metavar="ID=N",
                    help="chart ID must show exactly N rendered marks (repeatable)")
    args = ap.parse_args()
    try:
        res = check(args.page, args.screenshot, max_height=args.max_height)
    except (FileNotFoundError, RuntimeError, TimeoutError, OSError) as e:
        print(f"page_check: {e}", file=sys.stderr)
        return 2
    print(json.dumps(res, indent=1, sort_keys=True))
    problems = chart_problems(res, args.require, args.expect)
    for p in problems:
        print(f"page_check: {p}", file=sys.stderr)
    if args.strict and (res["console_errors"] or res["requests"]):
        return 1
    return 1 if problems else 0


def chart_problems(res: dict, require: list[str], expect: list[str]) -> list[str]:
    """What --require and --expect find wrong with the counted marks."""
    out = []
    marks, unrendered = res.get("marks", {}), res.get("unrendered", {})
    for chart in require:
        if marks.get(chart, 0) == 0:
            out.append(f"chart {chart}: no rendered mark" + ("" if chart in marks else " (no such chart)"))
        if unrendered.get(chart):
            out.append(f"chart {chart}: {unrendered[chart]} mark(s) did not render")
    for spec in expect:
        chart, _, n = spec.partition("=")
        if not n.isdigit():
            out.append(f"--expect {spec}: want ID=N")
        elif marks.get(chart, 0) != int(n):
            out.append(f"chart {chart}: {marks.get(chart, 0)} rendered mark(s), expected {n}")
    return out


if __name__ == "__main__":
    sys.exit(main())
