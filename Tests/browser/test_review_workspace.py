"""Reviewer workspace end to end in Chromium: queue, viewer, decisions, double reading, unit feedback, a11y.
Queue, viewer and audit run once per page language (en, zh-CN), chosen with the pages' language switch."""
import csv
import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import LANGUAGES, login, use_language

# Catalogue texts the assertions look for, per language (Sources/SonoL10n/Resources/*.json).
TEXT = {
    "en": {"reject": "reject", "score": "score 1/6", "per_operator": "Per operator", "apply": "Apply"},
    "zh-CN": {"reject": "不合格", "score": "评分 1/6", "per_operator": "按超声医师", "apply": "应用"},
}


def first_fail_image(page, server):
    page.goto(server.url + "/review?verdict=fail")
    return page.locator("#queue a.item").first.get_attribute("href").split("?")[0]


def badge_verdicts(page):
    """The automatic verdict of each queue item, from its badge's class (the text is translated)."""
    return page.locator("#queue a.item > .badge").evaluate_all("els => els.map(e => e.classList[1])")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_queue_orders_flagged_first_with_rule_chips_and_counts(browser, server, lang):
    page = login(browser, server, "rev1")
    use_language(page, server, lang)
    page.goto(server.url + "/review")
    assert page.get_attribute("html", "lang") == lang
    assert page.locator(".filters button[type=submit]").inner_text() == TEXT[lang]["apply"]
    badges = badge_verdicts(page)
    order = {"fail": 0, "review": 1, "pass": 2}
    assert badges and [order[b] for b in badges] == sorted(order[b] for b in badges)
    assert badges[0] == "fail"
    assert page.locator("#queue .chip").count() > 0
    # Filters live in the URL and the select shows counts per value.
    page.select_option("select[name=verdict]", "fail")
    page.click(".filters button[type=submit]")
    assert "verdict=fail" in page.url
    assert set(badge_verdicts(page)) == {"fail"}
    assert re.search(r"[(（]\d+[)）]$", page.locator("select[name=rule] option").nth(1).inner_text())
    page.go_back()
    assert "verdict=fail" not in page.url


def save_decision(page):
    """Submits the decision form and waits for the page it redirects to: the next step (a reload,
    another reviewer's view) must not race the POST."""
    with page.expect_navigation():
        page.click("#save")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_viewer_zoom_overlays_and_decision_persist(browser, server, lang):
    page = login(browser, server, "rev1")
    use_language(page, server, lang)
    href = first_fail_image(page, server)
    page.goto(server.url + href)
    page.wait_for_selector("#overlay[data-ready='1']", state="attached")
    natural = page.eval_on_selector("#frame", "i => [i.naturalWidth, i.complete]")
    assert natural[0] >= 400 and natural[1]
    assert page.locator("#ov-ellipse ellipse").count() == 1
    assert page.locator("#ov-fov polygon").count() == 1
    page.click("#zoom-in")
    assert page.get_attribute("#viewport", "data-zoom") == "1.50"
    page.uncheck("input[data-overlay=ellipse]")
    assert page.eval_on_selector("#ov-ellipse", "g => getComputedStyle(g).display") == "none"
    page.check("input[data-overlay=ellipse]")
    assert page.eval_on_selector("#ov-ellipse", "g => getComputedStyle(g).display") != "none"
    page.check("input[name='c.thalami-visible'][value=no]")
    page.check("input[name='c.calipers-placed'][value=yes]")
    page.check("#decision input[name=verdict][value=reject]")
    page.check("#decision input[name=reason][value=wrong-plane]")
    page.fill("#decision textarea[name=comment]", "thalami not in the plane, please rescan")
    save_decision(page)
    page.reload()
    assert page.get_attribute("html", "lang") == lang
    history = page.locator("ol.history").first.inner_text()
    assert "thalami not in the plane" in history and TEXT[lang]["reject"] in history and TEXT[lang]["score"] in history
    rows = list(csv.DictReader(io.StringIO(server.get("/api/v1/decisions.csv", server.tokens["rev1"]))))
    assert any(r["comment"] == "thalami not in the plane, please rescan" and r["verdict"] == "reject"
               and r["reviewer"] == "rev1" for r in rows)


def test_second_reviewer_reads_blind(browser, server):
    first = login(browser, server, "rev1")
    href = first_fail_image(first, server)
    first.goto(server.url + href)
    if first.locator("#decision + h3 + ol.history").count() == 0:
        first.check("#decision input[name=verdict][value=accept]")
        save_decision(first)
    second = login(browser, server, "rev2")
    second.goto(server.url + href)
    assert second.locator("#blind").is_visible()
    assert "rev1" not in second.locator("main").inner_text()
    assert second.locator("#decision input[name=verdict]:checked").count() == 0


def test_unit_sees_its_decisions_and_not_another_units_batch(browser, server):
    reviewer = login(browser, server, "rev1")
    href = first_fail_image(reviewer, server)
    reviewer.goto(server.url + href)
    reviewer.check("#decision input[name=verdict][value=accept-remark]")
    reviewer.fill("#decision textarea[name=comment]", "measure the BPD outer to outer")
    save_decision(reviewer)
    batch_id = href.split("/")[3]
    owner = "unit-a" if batch_id in [server.batches[n] for n in ("hospital-day", "clean-18-40", "operator-audit")] else "unit-b"
    other = "unit-b" if owner == "unit-a" else "unit-a"
    unit = login(browser, server, owner)
    unit.goto(server.url + "/review/batches/" + batch_id)
    text = unit.locator("main").inner_text()
    assert "measure the BPD outer to outer" in text
    assert "mm larger than the automatic" in text or "mm smaller than the automatic" in text
    stranger = login(browser, server, other)
    response = stranger.goto(server.url + "/review/batches/" + batch_id)
    assert response.status == 404
    assert stranger.goto(server.url + href).status == 404


def test_keyboard_only_navigation(browser, server):
    page = login(browser, server, "rev1")
    page.goto(server.url + "/review")
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("j")
    second = page.evaluate("document.activeElement.getAttribute('href')")
    assert first and second and first != second
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    page.keyboard.press("Enter")
    page.wait_for_url("**/review/image/**")
    page.wait_for_selector("#overlay[data-ready='1']", state="attached")
    page.keyboard.press("+")
    assert page.get_attribute("#viewport", "data-zoom") == "1.50"
    page.keyboard.press("2")
    assert page.eval_on_selector("#ov-ellipse", "g => getComputedStyle(g).display") == "none"
    page.keyboard.press("a")
    assert page.locator("#decision input[name=verdict][value=accept]").is_checked()
    before = page.url
    page.keyboard.press("n")
    page.wait_for_url(lambda url: url != before)
    # The skip link is the first Tab stop.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_reports_no_violations_and_pages_fit_400px(browser, server, lang):
    reviewer = login(browser, server, "rev1", width=400)
    use_language(reviewer, server, lang)
    href = first_fail_image(reviewer, server)
    batch_id = href.split("/")[3]
    axe = Axe()
    for path in ["/review", href, "/review/batches/" + batch_id, "/review/audit"]:
        reviewer.goto(server.url + path)
        if path == href:
            reviewer.wait_for_selector("#overlay[data-ready='1']", state="attached")
        assert reviewer.get_attribute("html", "lang") == lang
        results = axe.run(reviewer)
        assert results.violations_count == 0, lang + " " + path + "\n" + results.generate_report()
        width = reviewer.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"{lang} {path} is {width} px wide at a 400 px viewport"
    assert TEXT[lang]["per_operator"] in reviewer.locator("main").inner_text()


def test_pages_follow_the_browser_language_until_the_user_chooses(browser, server):
    # rev2 has chosen nothing: a Chinese browser gets Chinese pages, then the choice wins.
    page = login(browser, server, "rev2", locale="zh-CN")
    use_language(page, server, "")
    page.goto(server.url + "/review")
    assert page.get_attribute("html", "lang") == "zh-CN"
    use_language(page, server, "en")
    page.goto(server.url + "/review/audit")
    assert page.get_attribute("html", "lang") == "en"
    use_language(page, server, "")
    assert page.get_attribute("html", "lang") == "zh-CN"
