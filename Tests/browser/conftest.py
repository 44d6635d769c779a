"""Live `sonoqc serve` with the sample batches uploaded, and the system Chromium driven by Playwright."""
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("SONOQC_BINARY", os.path.join(REPO, ".build", "debug", "sonoqc"))
DRIVEN = {}


def sonoqc(*args):
    return subprocess.run([BINARY, *args], check=True, capture_output=True, text=True).stdout


class Server:
    def __init__(self):
        self.data = tempfile.mkdtemp(prefix="sonoqc-browser-")
        self.tokens = {}
        for role, name in [("unit", "unit-a"), ("unit", "unit-b"), ("reviewer", "rev1"), ("reviewer", "rev2")]:
            self.tokens[name] = sonoqc("accounts", "add", "--data", self.data, "--role", role, name).strip().splitlines()[-1]
        # Every image is double-read, so the second reviewer always gets a blind reading.
        self.process = subprocess.Popen([BINARY, "serve", "--data", self.data, "--port", "0", "--double-read", "1"],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        self.url = re.search(r"http://\S+", line).group(0)
        self.batches = {}
        for name, unit in [("hospital-day", "unit-a"), ("clean-18-40", "unit-a"), ("operator-audit", "unit-a"),
                           ("defects-acquisition", "unit-b"), ("defects-overlays-duplicates", "unit-b")]:
            token_file = os.path.join(self.data, unit + ".token")
            with open(token_file, "w") as f:
                f.write(self.tokens[unit])
            out = subprocess.run([BINARY, "upload", os.path.join(REPO, "samples", name), "--server", self.url,
                                  "--token-file", token_file, "--wait"], check=True, capture_output=True, text=True).stdout
            self.batches[name] = out.splitlines()[0].strip()

    def get(self, path, token):
        request = urllib.request.Request(self.url + path, headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(request) as response:
            return response.read().decode()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "chromium is not installed (apt-get install -y chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        DRIVEN["version"] = b.version
        DRIVEN["path"] = executable
        yield b
        b.close()


def login(browser, server, name, width=1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=token]", server.tokens[name])
    page.click("button[type=submit]")
    return page


def pytest_terminal_summary(terminalreporter):
    if DRIVEN:
        terminalreporter.write_line(f"drove Chromium {DRIVEN['version']} ({DRIVEN['path']}) through Playwright")
