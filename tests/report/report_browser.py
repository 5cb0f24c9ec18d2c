"""Headless Chromium driven over the DevTools protocol: load a page, record console errors and requests, screenshot.

Debian's `chromium` package is installed when missing (apt-get; the CI machines are fresh and run as
root), with a small CJK font (fonts-wqy-microhei) so that the screenshot shows the Chinese text a reader's
browser would show: the report itself needs no font on the server.

    with Browser(tmp_path / "profile") as browser:
        page = browser.load(Path("report.html"), screenshot=tmp_path / "report.png")
    page.console_errors, page.requests, page.exceptions

The protocol runs over a websocket (the `websockets` package); the browser picks a free port and writes
it into `DevToolsActivePort` in its profile directory, so parallel runs do not collide.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
]


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


def ensure_chromium() -> str:
    """The path of a Chromium binary, installing Debian's package (and a CJK font) when missing."""
    path = find_chromium()
    packages = [] if path else ["chromium"]
    if not has_cjk_font():
        packages.append("fonts-wqy-microhei")
    if packages:
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            if path:
                return path  # no font: the screenshot shows boxes for Chinese, the checks still hold
            raise RuntimeError("chromium is not installed and cannot be installed here (needs root and apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], check=True, capture_output=True, env=env, timeout=900)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", *packages],
            check=True,
            capture_output=True,
            env=env,
            timeout=1800,
        )
        path = find_chromium()
    if not path:
        raise RuntimeError("chromium could not be installed")
    return path


@dataclass
class PageResult:
    url: str
    console: list[dict[str, Any]] = field(default_factory=list)  # every console call: type, text
    exceptions: list[str] = field(default_factory=list)
    log_entries: list[dict[str, Any]] = field(default_factory=list)  # browser log: CSP violations, failed loads
    requests: list[str] = field(default_factory=list)  # every request but the page itself
    screenshot: Path | None = None
    width: int = 0
    height: int = 0
    title: str = ""

    @property
    def console_errors(self) -> list[str]:
        errors = [f"console.{c['type']}: {c['text']}" for c in self.console if c["type"] in ("error", "assert")]
        errors += [f"log.{e['source']}: {e['text']}" for e in self.log_entries if e["level"] == "error"]
        return errors + [f"exception: {e}" for e in self.exceptions]


class Browser:
    def __init__(self, profile_dir: Path, binary: str | None = None, width: int = 1280, height: int = 900):
        self.profile_dir = Path(profile_dir)
        self.binary = binary or ensure_chromium()
        self.width, self.height = width, height
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []

    # --- process and connection ---------------------------------------------------------------
    def __enter__(self) -> Browser:
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.profile_dir / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)
        self.stderr_path = self.profile_dir.parent / f"{self.profile_dir.name}.stderr.log"
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [
                self.binary,
                *FLAGS,
                f"--user-data-dir={self.profile_dir}",
                f"--window-size={self.width},{self.height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"chromium exited ({self.proc.returncode}): {self.stderr_path.read_text(errors='replace')[-2000:]}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not open its DevTools port in 60 s")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=30)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.ws.close()
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._stderr.close()

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        msg_id = next(self._ids)
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        for i, event in enumerate(self._events):
            if event.get("method") == method:
                return self._events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            event = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if event.get("method") == method:
                return event
            self._events.append(event)

    def drain(self, quiet: float = 0.5) -> None:
        """Collect the events that arrive until the page has been quiet for `quiet` seconds."""
        while True:
            try:
                self._events.append(json.loads(self.ws.recv(timeout=quiet)))
            except TimeoutError:
                return

    # --- a page ---------------------------------------------------------------------------------
    def load(
        self,
        path: Path,
        screenshot: Path | None = None,
        full_page: bool = True,
        clip_height: int | None = None,
        clip_y: int = 0,
    ) -> PageResult:
        url = Path(path).resolve().as_uri()
        self._events.clear()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        self._events.clear()  # events of about:blank
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired")
        self.drain()
        result = PageResult(url=url)
        for event in self._events:
            if event.get("sessionId") not in (None, session):
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                result.console.append({"type": params.get("type"), "text": text})
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                result.exceptions.append(details.get("exception", {}).get("description") or details.get("text", ""))
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                result.log_entries.append(
                    {
                        "level": entry.get("level"),
                        "source": entry.get("source"),
                        "text": entry.get("text"),
                        "url": entry.get("url"),
                    }
                )
            elif method == "Network.requestWillBeSent":
                req_url = params.get("request", {}).get("url", "")
                if req_url != url:
                    result.requests.append(req_url)
        evaluated = self.send(
            "Runtime.evaluate", {"expression": "document.title", "returnByValue": True}, session=session
        )
        result.title = evaluated.get("result", {}).get("value", "")
        metrics = self.send("Page.getLayoutMetrics", session=session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        result.width, result.height = int(size["width"]), int(size["height"])
        if screenshot is not None:
            height = (result.height if full_page else self.height) - clip_y
            if clip_height:
                height = min(height, clip_height)
            shot = self.send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": clip_y, "width": result.width, "height": height, "scale": 1},
                },
                session=session,
                timeout=120,
            )
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            result.screenshot = screenshot
        self.send("Target.closeTarget", {"targetId": target})
        return result

    def pdf(self, path: Path, out: Path) -> Path:
        """Print the page as the browser prints it (print CSS, A4 landscape from @page)."""
        url = Path(path).resolve().as_uri()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable", session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired")
        printed = self.send(
            "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}, session=session, timeout=120
        )
        out.write_bytes(base64.b64decode(printed["data"]))
        self.send("Target.closeTarget", {"targetId": target})
        return out
