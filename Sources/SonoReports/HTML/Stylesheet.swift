import SonoL10n

/// The one stylesheet every page inlines (no external requests, no web fonts).
///
/// Colours were chosen for WCAG AA contrast (≥ 4.5:1 for text): verdict badges carry a word as
/// well as a colour, focus outlines are thick and visible, and the print rules drop navigation
/// and filters, avoid splitting an image's section across pages, and keep the colours. Text
/// breaks inside a word only where it would overflow, so long file paths and ids in headings
/// and verdict reasons stay within a 400 px phone screen.
enum Stylesheet {
    static let css = """
    :root { --fg: #1a1a1a; --muted: #4a4a4a; --bg: #ffffff; --line: #c8c8c8; --soft: #f3f5f8;
      --pass: #1e6b34; --review: #7a4b00; --review-bg: #fff1cc; --fail: #a3261b; --link: #0b4f9c; }
    * { box-sizing: border-box; }
    body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
      "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "DejaVu Sans", sans-serif; color: var(--fg);
      background: var(--bg); margin: 0; line-height: 1.45; font-size: 15px; overflow-wrap: break-word; }
    header.page, main, footer.page { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
    header.page { padding-top: 16px; border-bottom: 2px solid var(--line); }
    h1 { font-size: 1.6rem; margin: 0.2em 0 0.3em; }
    h2 { font-size: 1.3rem; margin: 1.4em 0 0.5em; border-bottom: 1px solid var(--line); padding-bottom: 0.2em; }
    h3 { font-size: 1.1rem; margin: 1.1em 0 0.4em; }
    a { color: var(--link); }
    a:focus-visible, button:focus-visible, select:focus-visible, summary:focus-visible, [tabindex]:focus-visible {
      outline: 3px solid #ff9f1a; outline-offset: 2px; }
    .skip { position: absolute; left: -9999px; top: 0; background: #ffffff; padding: 8px; z-index: 10; }
    .skip:focus { left: 8px; }
    dl.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 14px; margin: 0.4em 0 0.8em; }
    dl.meta dt { font-weight: 600; color: var(--muted); }
    dl.meta dd { margin: 0; }
    p.run-stamp { margin: 0 0 0.4em; color: var(--muted); font-size: 0.85em; }
    .badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 700; font-size: 0.9em;
      border: 2px solid currentColor; white-space: nowrap; }
    .badge.pass { color: #ffffff; background: var(--pass); border-color: var(--pass); }
    .badge.review { color: var(--review); background: var(--review-bg); }
    .badge.fail { color: #ffffff; background: var(--fail); border-color: var(--fail); }
    .sev { font-weight: 700; }
    .sev.fail { color: var(--fail); } .sev.warning { color: var(--review); }
    .sev.needs-reviewer, .sev.not-checkable { color: #4b3c8f; } .sev.info, .sev.passed { color: var(--muted); font-weight: 400; }
    section.verdict { margin: 1em 0; padding: 12px 16px; border-left: 6px solid var(--line); background: var(--soft); }
    section.verdict.fail { border-color: var(--fail); } section.verdict.review { border-color: #c98a00; }
    section.verdict.pass { border-color: var(--pass); }
    section.verdict h2 { border: none; margin-top: 0; }
    table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.93em; }
    th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
    th { background: var(--soft); }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.num { white-space: nowrap; }
    table.findings td.val { font-variant-numeric: tabular-nums; min-width: 7em; }
    table.findings td:last-child { min-width: 16em; }
    table.findings td code { white-space: nowrap; }
    caption { text-align: left; white-space: nowrap; font-weight: 600; padding: 2px 0 4px; color: var(--muted); }
    article.image { border-top: 2px solid var(--line); margin-top: 1.5em; page-break-inside: avoid; break-inside: avoid; }
    .image-body { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
    .image-body > .visual { flex: 0 1 440px; min-width: 0; }
    .image-body > .tables { flex: 1 1 460px; min-width: 0; }
    .visual .charts { flex-direction: column; }
    .visual svg.chart { width: 100%; }
    .image-body table { width: 100%; }
    figure { margin: 0; }
    figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); background: #000000; }
    figcaption { font-size: 0.85em; color: var(--muted); max-width: 400px; }
    .legend span { display: inline-block; margin-right: 10px; }
    .swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #333333; vertical-align: -1px; margin-right: 3px; }
    .charts { display: flex; flex-wrap: wrap; gap: 12px; }
    svg.chart { max-width: 100%; height: auto; border: 1px solid var(--line); }
    ul.reasons { margin: 0.3em 0; padding-left: 1.3em; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; list-style: none; padding: 0; }
    .grid li { border: 2px solid var(--line); padding: 4px; background: var(--bg); }
    .grid li.flagged { border-color: var(--fail); }
    .grid li.flagged.review { border-color: #c98a00; }
    .grid a { text-decoration: none; color: var(--fg); display: block; }
    .grid img { width: 100%; height: auto; display: block; background: #000000; }
    .grid .cap { font-size: 0.8em; display: flex; justify-content: space-between; gap: 4px; padding-top: 3px; }
    form.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; padding: 10px; background: var(--soft);
      border: 1px solid var(--line); margin: 0.6em 0; }
    form.filters label { display: flex; flex-direction: column; font-size: 0.85em; font-weight: 600; }
    form.filters select, form.filters button { font-size: 1em; padding: 3px 6px; }
    .muted { color: var(--muted); }
    details { margin: 0.2em 0 1em; }
    summary { cursor: pointer; color: var(--link); font-weight: 600; }
    .flagtext { color: var(--fail); font-weight: 600; }
    a.filter-link { text-decoration: none; color: inherit; }
    a.filter-link:hover code, a.filter-link:focus-visible code { text-decoration: underline; }
    .scroll { overflow-x: auto; max-width: 100%; }
    code { overflow-wrap: anywhere; }
    footer.page { margin-top: 2em; padding-bottom: 2em; border-top: 1px solid var(--line); font-size: 0.85em; color: var(--muted); }
    @media (max-width: 480px) {
      header.page, main, footer.page { padding: 0 10px; }
      dl.meta { grid-template-columns: max-content 1fr; }
      table { display: block; overflow-x: auto; max-width: 100%; }
      table.findings td:last-child { min-width: 12em; }
      .image-body > .visual, .image-body > .tables { flex-basis: 100%; }
    }
    @media print {
      /* A scan of up to three images fits two A4 pages with every check listed (printScript opens
         the passed checks): small type; per image the thumbnail, its three growth charts and the
         legend in one row, the findings and measurements below at full width, and the passed
         checks and image-quality metrics as running text (value, then limit or reading in
         brackets) rather than a row each. */
      @page { size: A4; margin: 9mm 10mm; }
      .skip, form.filters, nav.toc, header.page nav { display: none !important; }
      body { font-size: 8pt; line-height: 1.25; }
      h1 { font-size: 13pt; } h2 { font-size: 10.5pt; margin: 0.6em 0 0.3em; } h3 { font-size: 9pt; margin: 0.4em 0 0.2em; }
      a { color: var(--fg); text-decoration: none; }
      header.page, main, footer.page { max-width: none; padding: 0; }
      .badge, .swatch, section.verdict, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      table { font-size: 7pt; margin: 0.2em 0 0.4em; }
      th, td { padding: 0 3px; }
      tr { break-inside: avoid; }
      caption { white-space: normal; }
      table.findings { font-size: 6.5pt; line-height: 1.2; }
      table.findings td.val, table.findings td:last-child { min-width: 0; }
      section.verdict { padding: 4px 8px; margin: 0.4em 0; }
      article.image { break-inside: auto; margin-top: 0.5em; }
      article.image > h2 { margin: 0.4em 0 0; }
      article.image > h2 + p.muted { margin: 0 0 2px; }
      .image-body { display: grid; grid-template-columns: 20% 1fr 14%; gap: 2px 8px; }
      .image-body > .visual, .visual > figure { display: contents; }
      .visual > figure > img { grid-column: 1; grid-row: 1; }
      .visual > figure > figcaption { grid-column: 3; grid-row: 1; font-size: 6.5pt; max-width: none; }
      .visual > figure > figcaption span { display: block; }
      .visual > h3:has(+ .charts) { display: none; }
      .visual > .charts, .visual > p.muted { grid-column: 2; grid-row: 1; flex-direction: row; flex-wrap: nowrap; gap: 2px; }
      .visual > .charts svg.chart { width: 33%; height: auto; }
      .image-body > .tables { grid-column: 1 / span 3; grid-row: 3; }
      .visual > h3.metrics { grid-column: 1 / span 3; grid-row: 4; }
      .visual > table.metrics { grid-column: 1 / span 3; grid-row: 5; }
      .image-body h3 { margin: 0.3em 0 0.1em; }
      .image-body table { font-size: 6.5pt; line-height: 1.2; margin: 0 0 0.2em; }
      table.passed, table.passed tbody, table.metrics, table.metrics tbody { display: block; margin: 0; }
      table.passed thead, table.metrics thead, table.passed td:first-child { display: none; }
      table.passed tr, table.passed td, table.metrics tr, table.metrics th, table.metrics td {
        display: inline; padding: 0; border: none; background: none; }
      /* The explanation of a passed check repeats its rule. */
      table.passed td:last-child { display: none; }
      table.passed td.val, table.metrics td { margin-left: 0.3em; }
      table.passed td.val + td.val::before, table.metrics td:last-child:not(:empty)::before { content: "("; }
      table.passed td.val + td.val::after, table.metrics td:last-child:not(:empty)::after { content: ")"; }
      table.passed tr:not(:last-child)::after, table.metrics tr:not(:last-child)::after { content: " · "; }
      svg.chart { border: none; }
      .grid { grid-template-columns: repeat(4, 1fr); }
      .grid li, svg.chart { break-inside: avoid; }
    }
    """

    /// Document head; `lang` tells the browser (and screen readers) which language and which
    /// system fonts to use: CJK text renders with the fonts of the font stack above, none fetched.
    static func head(title: String, language: Language) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(language.rawValue)">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"/>
        <title>\(Markup.escape(title))</title>
        <style>
        \(css)
        </style>
        </head>

        """
    }

    /// Opens every closed `<details>` (the passed checks) while the page prints, and closes them
    /// again afterwards, so paper shows everything and the screen keeps its short form.
    static let printScript = """
    <script>
    (function () {
      var opened = [];
      window.addEventListener('beforeprint', function () {
        var closed = document.querySelectorAll('details:not([open])');
        for (var i = 0; i < closed.length; i++) { closed[i].open = true; opened.push(closed[i]); }
      });
      window.addEventListener('afterprint', function () {
        while (opened.length) { opened.pop().open = false; }
      });
    })();
    </script>

    """

    /// The line at the top of every page saying which SonoQC made it and on which day.
    static func runStamp(version: String, date: String, _ L: Localizer) -> String {
        L.text("page.run_stamp", ["version": .text(version), "date": .text(date)])
    }

    static func runStampParagraph(_ stamp: String?) -> String {
        stamp.map { "<p class=\"run-stamp\">\(Markup.escape($0))</p>\n" } ?? ""
    }

    static func badge(_ verdict: AuditVerdict, _ L: Localizer) -> String {
        "<span class=\"badge \(verdict.rawValue)\">\(Markup.escape(L.text("verdict." + verdict.rawValue)))</span>"
    }
}
