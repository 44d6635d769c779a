"""The static pages `sonoqc analyze` writes (index.html, report.html), opened from disk in Chromium."""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import BINARY, REPO


@pytest.fixture(scope="module")
def reports():
    """Two small sample batches analysed into a temporary folder (flagged and passed scans, several rules)."""
    out = tempfile.mkdtemp(prefix="sonoqc-static-")
    run = os.path.join(out, "run")
    # The pages show image paths as given, so the batches sit under a long folder name with no
    # break opportunity (as an upload folder named by a unit's export tool can be): the 400 px
    # check then does not depend on where the repository happens to be cloned.
    inputs = os.path.join(out, "unit_export_20261130_" + "0123456789abcdef" * 3)
    for batch in ("defects-acquisition", "clean-18-40"):
        shutil.copytree(os.path.join(REPO, "samples", batch), os.path.join(inputs, batch))
    # analyze exits 1 when some scans fail QC, which these batches do on purpose.
    subprocess.run([BINARY, "analyze", os.path.join(inputs, "defects-acquisition"),
                    os.path.join(inputs, "clean-18-40"), "--out", run, "--quiet"], check=False, capture_output=True)
    assert os.path.exists(os.path.join(run, "index.html")), "analyze wrote no index.html"
    # The audit with the committed decisions fixture (long file path, reviewers' tables).
    subprocess.run([BINARY, "audit", run, "--out", os.path.join(run, "audit"), "--decisions",
                    os.path.join(REPO, "Tests", "SonoReportsTests", "Fixtures", "decisions", "decisions.csv")],
                   check=True, capture_output=True)
    yield run
    shutil.rmtree(out, ignore_errors=True)


def index_url(reports):
    return "file://" + os.path.join(reports, "index.html")


def visible_scans(page):
    return page.evaluate("Array.from(document.querySelectorAll('tr.scan')).filter(r => !r.hidden).length")


def test_static_pages_fit_400px(browser, reports):
    page = browser.new_context(viewport={"width": 400, "height": 800}).new_page()
    page.goto(index_url(reports))
    scan_pages = re.findall(r'href="(scans/[^"]*/report\.html)"', open(os.path.join(reports, "index.html")).read())
    assert scan_pages
    pages = [index_url(reports), "file://" + os.path.join(reports, "audit", "audit.html")]
    for url in pages + ["file://" + os.path.join(reports, p) for p in sorted(set(scan_pages))]:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"{url} is {width} px wide at a 400 px viewport"


def test_index_filters_survive_back_navigation(browser, reports):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(index_url(reports))
    total = visible_scans(page)
    # The verdict badge in the header filters in place and puts the filter in the URL.
    # (These two batches give REVIEW and PASS scans, no FAIL.)
    page.click("header a.filter-link[href='?verdict=review']")
    assert page.url.endswith("index.html?verdict=review")
    assert page.eval_on_selector("#f-verdict", "e => e.value") == "review"
    flagged = visible_scans(page)
    assert 0 < flagged < total
    # A "findings per rule" row filters by its rule.
    # The last row is the rule that flagged the fewest scans (the first, HP-006, asks for a reviewer on all).
    rule_link = page.locator("#rules-h ~ table a.filter-link").last
    rule = rule_link.get_attribute("href").split("=", 1)[1]
    rule_link.click()
    assert page.url.endswith("index.html?rule=" + rule)
    by_rule = visible_scans(page)
    assert 0 < by_rule < total
    assert page.eval_on_selector("#f-rule", "e => e.value") == rule
    # Open a listed scan, come back: the rule filter is still applied.
    page.locator("tr.scan:not([hidden]) th a").first.click()
    page.wait_for_url(re.compile(r".*/report\.html$"))
    page.go_back()
    page.wait_for_url(re.compile(r".*index\.html\?rule="))
    assert page.eval_on_selector("#f-rule", "e => e.value") == rule
    assert visible_scans(page) == by_rule
    # One more back: the verdict filter the badge set, from the URL.
    page.go_back()
    assert page.url.endswith("index.html?verdict=review")
    assert page.eval_on_selector("#f-verdict", "e => e.value") == "review"
    assert visible_scans(page) == flagged
    # A menu change replaces the query; "show all" clears it.
    page.select_option("#f-verdict", "pass")
    assert page.url.endswith("index.html?verdict=pass")
    page.click("#filter-reset")
    # (wait_for_function would evaluate a string, which the page's CSP forbids; the reset applies
    # on the next tick.)
    for _ in range(50):
        if not page.evaluate("location.search"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("location.search") == ""
    assert visible_scans(page) == total


@pytest.fixture(scope="module")
def multi_image_reports():
    """The sample batch whose scans hold one, two and three images (duplicates and several rules among them)."""
    out = tempfile.mkdtemp(prefix="sonoqc-print-")
    for lang in ("en", "zh-CN"):
        subprocess.run([BINARY, "analyze", os.path.join(REPO, "samples", "hospital-day"), "--lang", lang,
                        "--out", os.path.join(out, lang), "--quiet"], check=False, capture_output=True)
    yield out
    shutil.rmtree(out, ignore_errors=True)


def printed_pages(page):
    """Prints the open page to A4 and returns the number of pages, checking that every passed-checks list was open."""
    # Registered after the page's own handler, so it sees what that handler opened.
    page.evaluate("window.__opened = 0; window.addEventListener('beforeprint', () => "
                  "{ window.__opened = document.querySelectorAll('details[open]').length; })")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert page.evaluate("window.__opened") == page.locator("details").count()
    # Closed again on screen after printing.
    assert page.locator("details[open]").count() == 0
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_scan_page_prints_on_two_a4_pages_with_passed_checks_open(browser, reports):
    page = browser.new_page()
    index = open(os.path.join(reports, "index.html")).read()
    one_image = None
    for href in re.findall(r'href="(scans/[^"]*/report\.html)"', index):
        page.goto("file://" + os.path.join(reports, href))
        if page.locator("article.image").count() == 1 and page.locator("details").count() > 0:
            one_image = href
            break
    assert one_image, "no one-image scan with passed checks"
    pages = printed_pages(page)
    assert 1 <= pages <= 2, f"{one_image} prints on {pages} A4 pages"


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_scans_of_two_and_three_images_print_on_two_a4_pages(browser, multi_image_reports, lang):
    run = os.path.join(multi_image_reports, lang)
    page = browser.new_page()
    sizes = set()
    for href in sorted(set(re.findall(r'href="(scans/[^"]*/report\.html)"', open(os.path.join(run, "index.html")).read()))):
        page.goto("file://" + os.path.join(run, href))
        images = page.locator("article.image").count()
        sizes.add(images)
        pages = printed_pages(page)
        assert 1 <= pages <= 2, f"{href} ({images} images, {lang}) prints on {pages} A4 pages"
    # The batch must keep scans of each size, or this test would stop covering them.
    assert {1, 2, 3} <= sizes, f"image counts per scan in hospital-day: {sorted(sizes)}"
