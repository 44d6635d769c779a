#!/usr/bin/env python3
"""README screenshots of the reviewer workspace: the queue, the image viewer and the audit page.

Starts `sonoqc serve` with the sample batches uploaded (the same setup as `make test-browser`,
Tests/browser/conftest.py), has two reviewers decide the first images of the queue (every image
is double-read there, so the audit shows agreement), and photographs the pages in the system
Chromium. Output: docs/screenshots/{queue,viewer,audit}.png, each shrunk to <= 200 KB.
Run through scripts/screenshots-review.sh (installs what it needs).
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "Tests", "browser"))
from conftest import Server, login  # noqa: E402  (the test-browser setup, reused)
from playwright.sync_api import sync_playwright  # noqa: E402

OUT = os.path.join(REPO, "docs", "screenshots")
MAX_BYTES = 200 * 1024
CRITERIA = ["symmetric-plane", "thalami-visible", "csp-visible", "cerebellum-not-visible", "head-fills-30pct", "calipers-placed"]


def post(server, token, body):
    request = urllib.request.Request(server.url + "/api/v1/decisions", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def decide(server, count=40):
    """Both reviewers read the first `count` queue images; the second agrees most of the time.
    Seeded, so the screenshots change only when the pages do."""
    rng = random.Random(12)
    queue = json.loads(server.get("/api/v1/queue", server.tokens["rev1"]))
    for row in queue[:count]:
        batch, scan, image = row["key"].split("/")
        first = {c: ("no" if row["status"] == "fail" and rng.random() < 0.35 else "yes") for c in CRITERIA}
        for name in ("rev1", "rev2"):
            answers = dict(first)
            if name == "rev2" and rng.random() < 0.25:
                c = rng.choice(CRITERIA)
                answers[c] = "no" if answers[c] == "yes" else "yes"
            v = "reject" if list(answers.values()).count("no") >= 2 else "accept"
            body = {"batch_id": batch, "scan_index": int(scan), "image_index": int(image), "criteria": answers, "verdict": v}
            if v == "reject":
                body["reasons"] = ["wrong-plane"]
            post(server, server.tokens[name], body)


def shoot(page, name, full_page=False, clip_height=None):
    # Thumbnails load lazily: wait until every image in view has arrived.
    # (Polled from here: wait_for_function evaluates a string, which the pages' CSP forbids.)
    page.wait_for_load_state("networkidle")
    loaded = ("Array.from(document.images).filter(i => i.getBoundingClientRect().top < innerHeight)"
              ".every(i => i.complete && i.naturalWidth > 0)")
    for _ in range(100):
        if page.evaluate(loaded):
            break
        page.wait_for_timeout(100)
    raw = os.path.join(tempfile.mkdtemp(prefix="sonoqc-shot-"), name + ".png")
    if clip_height:
        height = min(clip_height, page.evaluate("document.documentElement.scrollHeight"))
        page.screenshot(path=raw, full_page=True, clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height})
    else:
        page.screenshot(path=raw, full_page=full_page)
    out = os.path.join(OUT, name + ".png")
    subprocess.run([sys.executable, os.path.join(REPO, "scripts", "screenshot-shrink.py"), raw, out, str(MAX_BYTES)], check=True)
    print(f"{os.path.relpath(out, REPO)} ({os.path.getsize(out)} bytes)")


def main():
    os.makedirs(OUT, exist_ok=True)
    server = Server()
    try:
        decide(server)
        executable = subprocess.run(["sh", "-c", "command -v chromium || command -v chromium-browser"], capture_output=True,
                                    text=True).stdout.strip()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            # English, then Chinese as a browser set to zh-CN gets it (Accept-Language; no stored choice).
            for locale, suffix in [("en-US", ""), ("zh-CN", ".zh-CN")]:
                page = login(browser, server, "rev1", width=1280, locale=locale)
                page.goto(server.url + "/review")
                shoot(page, "queue" + suffix)
                page.goto(server.url + "/review?verdict=fail")
                href = page.locator("#queue a.item").first.get_attribute("href").split("?")[0]
                page.goto(server.url + href)
                page.wait_for_selector("#overlay[data-ready='1']", state="attached")
                shoot(page, "viewer" + suffix)
                page.goto(server.url + "/review/audit")
                shoot(page, "audit" + suffix, clip_height=1400)
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
