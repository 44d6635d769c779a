/// Script and style of the review pages, served from this origin (the pages load nothing from
/// elsewhere and work offline). The script only enhances: zoom and pan, overlays drawn as SVG from
/// geometry.json, keyboard keys; every decision is a plain form that works without it.
enum ReviewAssets {
    static let script = #"""
    "use strict";
    (function () {
      // Keys are shortcuts unless the focus is in a field that takes text (radios and checkboxes do not).
      var typing = function (e) {
        var t = e.target;
        return t.tagName === "TEXTAREA" || t.tagName === "SELECT" || (t.tagName === "INPUT" && t.type !== "radio" && t.type !== "checkbox");
      };
      // Queue: j / k move the focus through the items, Enter follows the link (browser default).
      var queue = document.getElementById("queue");
      if (queue) {
        var links = Array.prototype.slice.call(queue.querySelectorAll("a.item"));
        document.addEventListener("keydown", function (e) {
          if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
          var at = links.indexOf(document.activeElement);
          if (e.key === "j") { (links[Math.min(at + 1, links.length - 1)] || links[0]).focus(); e.preventDefault(); }
          if (e.key === "k") { (links[Math.max(at - 1, 0)] || links[0]).focus(); e.preventDefault(); }
        });
      }
      var viewport = document.getElementById("viewport");
      if (!viewport) return;
      var stage = document.getElementById("stage"), svg = document.getElementById("overlay");
      var W = +viewport.dataset.width, H = +viewport.dataset.height;
      var scale = 1, tx = 0, ty = 0;
      function apply() { stage.style.transform = "translate(" + tx + "px," + ty + "px) scale(" + scale + ")"; viewport.dataset.zoom = scale.toFixed(2); }
      function zoom(f) { scale = Math.min(16, Math.max(1, scale * f)); if (scale === 1) { tx = 0; ty = 0; } apply(); }
      document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.5); });
      document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.5); });
      document.getElementById("zoom-reset").addEventListener("click", function () { scale = 1; tx = 0; ty = 0; apply(); });
      viewport.addEventListener("wheel", function (e) { e.preventDefault(); zoom(e.deltaY < 0 ? 1.25 : 0.8); }, { passive: false });
      var drag = null;
      viewport.addEventListener("pointerdown", function (e) { drag = { x: e.clientX - tx, y: e.clientY - ty }; viewport.setPointerCapture(e.pointerId); });
      viewport.addEventListener("pointermove", function (e) { if (drag && scale > 1) { tx = e.clientX - drag.x; ty = e.clientY - drag.y; apply(); } });
      viewport.addEventListener("pointerup", function () { drag = null; });
      viewport.addEventListener("keydown", function (e) {
        var step = 40, moved = true;
        if (e.key === "ArrowLeft") tx += step; else if (e.key === "ArrowRight") tx -= step;
        else if (e.key === "ArrowUp") ty += step; else if (e.key === "ArrowDown") ty -= step; else moved = false;
        if (moved && scale > 1) { apply(); e.preventDefault(); }
      });
      // Overlays: one SVG group per kind, shown or hidden by its checkbox.
      var NS = "http://www.w3.org/2000/svg";
      function el(name, attrs, parent) {
        var n = document.createElementNS(NS, name);
        for (var k in attrs) n.setAttribute(k, attrs[k]);
        parent.appendChild(n); return n;
      }
      function group(id) { return el("g", { id: "ov-" + id, "class": "ov ov-" + id }, svg); }
      function ellipse(g, e) {
        el("ellipse", { cx: e.cx, cy: e.cy, rx: e.rx, ry: e.ry, transform: "rotate(" + e.angle + " " + e.cx + " " + e.cy + ")" }, g);
      }
      fetch(viewport.dataset.geometry, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (g) {
        var fov = group("fov");
        if (g.field_of_view.length) el("polygon", { points: g.field_of_view.map(function (p) { return p.join(","); }).join(" ") }, fov);
        var ell = group("ellipse"); if (g.ellipse) ellipse(ell, g.ellipse);
        var axes = group("axes");
        [g.bpd, g.ofd].forEach(function (s) { if (s) el("line", { x1: s.x1, y1: s.y1, x2: s.x2, y2: s.y2 }, axes); });
        var hc = group("hc"); if (g.reported_hc) ellipse(hc, g.reported_hc);
        var masked = group("masked");
        g.masked.forEach(function (b) { el("rect", { x: b.x, y: b.y, width: b.width, height: b.height }, masked); });
        var cal = group("calipers");
        Object.keys(g.calipers).forEach(function (m) {
          var pts = g.calipers[m];
          el("polyline", { points: pts.map(function (p) { return p.x + "," + p.y; }).join(" ") }, cal);
          pts.forEach(function (p) { el("path", { d: "M" + (p.x - 6) + " " + p.y + "h12M" + p.x + " " + (p.y - 6) + "v12" }, cal); });
        });
        svg.dataset.ready = "1";
        sync();
      });
      var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-overlay]"));
      function sync() {
        boxes.forEach(function (b) { var g = document.getElementById("ov-" + b.dataset.overlay); if (g) g.style.display = b.checked ? "" : "none"; });
      }
      boxes.forEach(function (b) { b.addEventListener("change", sync); });
      document.addEventListener("keydown", function (e) {
        if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
        var link = null;
        if (e.key === "n") link = document.getElementById("next");
        if (e.key === "p") link = document.getElementById("prev");
        if (link) { location.href = link.href; return; }
        if (e.key === "+" || e.key === "=") zoom(1.5);
        else if (e.key === "-") zoom(1 / 1.5);
        else if (e.key === "0") { scale = 1; tx = 0; ty = 0; apply(); }
        else if (e.key === "a" || e.key === "r") {
          var v = document.querySelector("#decision input[name=verdict][value=" + (e.key === "a" ? "accept" : "reject") + "]");
          if (v) { v.checked = true; v.focus(); }
        } else {
          var box = boxes.filter(function (b) { return b.dataset.key === e.key; })[0];
          if (!box) return;
          box.checked = !box.checked; sync();
        }
        e.preventDefault();
      });
    })();
    """#

    static let style = """
    body{font-family:system-ui,sans-serif;margin:0;color:#111;background:#fff;line-height:1.4}
    main{max-width:70rem;margin:0 auto;padding:0 1rem 2rem}
    header nav{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.5rem 1rem;background:#1d3557}
    header a,header span{color:#fff}header form{margin-left:auto}
    .skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;color:#000;padding:.3rem}
    a{color:#0645ad}a:focus,button:focus,input:focus,select:focus,textarea:focus,.viewport:focus{outline:3px solid #c60;outline-offset:2px}
    .filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end}.filters label{display:flex;flex-direction:column}
    .hint{color:#444;font-size:.9rem}
    .queue{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.75rem}
    .queue a.item{display:block;border:1px solid #bbb;padding:.4rem;text-decoration:none;color:#111}
    .queue img{max-width:100%;height:auto;display:block}.meta{display:block;color:#444;font-size:.85rem}
    .badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-size:.85rem;border:1px solid #555}
    .badge.fail{background:#ffd7d7}.badge.review{background:#fff0c2}.badge.pass{background:#d9f2d9}.badge.decided{background:#e3e8ff}
    .chip{display:inline-block;background:#eef;border:1px solid #99a;border-radius:1rem;padding:0 .45rem;font-size:.8rem;margin:.1rem 0}
    .chip.pass{background:#e6f5e6}.chip.second{background:#ffe3f3}
    .viewport{position:relative;overflow:hidden;border:1px solid #555;max-width:100%;touch-action:none;cursor:grab;background:#000}
    .stage{position:relative;transform-origin:0 0}.stage img{display:block;width:100%;height:auto}
    .stage svg{position:absolute;left:0;top:0;width:100%;height:100%;fill:none;stroke-width:2;vector-effect:non-scaling-stroke}
    .ov-fov{stroke:#4cc9f0}.ov-ellipse{stroke:#ff0}.ov-axes{stroke:#f80}.ov-hc{stroke:#f0f;stroke-dasharray:6 4}
    .ov-masked{stroke:#f33}.ov-calipers{stroke:#0f0}
    fieldset{border:1px solid #bbb;margin:.4rem 0}.criterion{border:0;padding:.1rem 0}
    .overlays label,fieldset label{display:inline-block;margin-right:.8rem}
    textarea{width:100%;box-sizing:border-box}
    .notice{background:#ffe3f3;padding:.4rem;border-left:4px solid #a0527a}
    .history{padding-left:1.2rem}.pager{display:flex;gap:1rem;flex-wrap:wrap}
    table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2rem .5rem;text-align:left}.scroll{overflow-x:auto}
    button{font:inherit;padding:.2rem .7rem}
    """
}
