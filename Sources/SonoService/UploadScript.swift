/// The upload page's script, served at /assets/upload.js (same origin, so the CSP needs no
/// 'unsafe-inline'). Same protocol as `sonoqc upload`: declare names + SHA-256, send what the
/// server lacks, commit. The manifest is checked first and its errors listed by line and field.
/// Its messages come from the page (`data-messages`: id → catalogue template in the page's
/// language), so the script holds no prose of its own.
enum UploadScript {
    /// The script's message ids and their catalogue keys.
    static let messageKeys: [(id: String, key: String)] = [
        ("line", "web.upload.col_line"), ("field", "web.upload.col_field"), ("found", "web.upload.col_found"),
        ("expected", "web.upload.col_expected"), ("noManifest", "web.upload.no_manifest"), ("valid", "web.upload.manifest_valid"),
        ("network", "web.upload.network_error"), ("fixManifest", "web.upload.fix_manifest"), ("chooseImages", "web.upload.choose_images"),
        ("hashing", "web.upload.hashing"), ("refused", "web.upload.refused"), ("fileRefused", "web.upload.file_refused"),
        ("commitRefused", "web.upload.commit_refused"), ("state", "web.upload.batch_state"),
        ("stateFailures", "web.upload.batch_state_failures"),
        ("state.uploading", "review.state.uploading"), ("state.queued", "review.state.queued"), ("state.running", "review.state.running"),
        ("state.done", "review.state.done"), ("state.failed", "review.state.failed"),
        ("error.limit-exceeded", "web.upload.error.limit-exceeded"), ("error.unsupported-format", "web.upload.error.unsupported-format"),
        ("error.size-mismatch", "web.upload.error.size-mismatch"), ("error.digest-mismatch", "web.upload.error.digest-mismatch"),
        ("error.committed", "web.upload.error.committed"), ("error.files-missing", "web.upload.error.files-missing"),
        ("error.invalid-manifest", "web.upload.error.invalid-manifest"), ("error.unauthorized", "web.upload.error.unauthorized"),
        ("error.forbidden", "web.upload.error.forbidden"), ("error.csrf", "web.upload.error.csrf"),
    ]

    /// Catalogue keys of what a manifest issue expected; the page passes these templates under their own keys.
    static let manifestExpectationPrefix = "manifest.expected."

    static let source = #"""
    "use strict";
    (function () {
      const form = document.getElementById("upload");
      const csrf = form.dataset.csrf;
      const statusLine = document.getElementById("status");
      const issuesBox = document.getElementById("issues");
      const progressBody = document.getElementById("progress");
      const isManifest = (n) => n === "manifest.json" || n === "manifest.csv";
      const isImage = (n) => /\.(png|jpe?g)$/i.test(n) && !n.startsWith(".");
      const messages = JSON.parse(form.dataset.messages || "{}");
      const t = (id, args) => (messages[id] || id).replace(/\{(\w+)(?::\w+)?\}/g, (m, k) => (args && k in args ? String(args[k]) : m));
      // An error body in the page's language when its code is known; the server's English text otherwise.
      const reason = (body) => {
        if (!body) return "";
        const id = "error." + body.error;
        return id in messages ? t(id, { file: body.file || "", limit: body.limit || "", limit_value: body.limit_value ?? "",
                                        count: (body.missing || []).length }) : (body.message || "");
      };
      const stateName = (s) => t("state." + s);

      function chosenFiles() {
        const all = [...document.getElementById("folder").files, ...document.getElementById("files").files,
                     ...document.getElementById("manifest").files];
        const byName = new Map();
        for (const f of all) if (isImage(f.name) || isManifest(f.name)) byName.set(f.name, f);
        return [...byName.values()];
      }

      async function sha256(file) {
        const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
        return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
      }

      function showIssues(body) {
        issuesBox.textContent = "";
        if (!body || !body.issues) { if (body) issuesBox.textContent = reason(body); return; }
        const table = document.createElement("table");
        const head = table.createTHead().insertRow();
        for (const id of ["line", "field", "found", "expected"]) {
          const th = document.createElement("th"); th.textContent = t(id); head.appendChild(th);
        }
        const tbody = document.createElement("tbody");
        for (const i of body.issues) {
          const tr = document.createElement("tr");
          // What was expected in the page's language; `found` is the file's own value and stays verbatim.
          const e = i.expectation;
          const expected = e && e.key in messages ? t(e.key, e.args) : i.expected;
          for (const v of [i.line ?? "", i.field, i.found, expected]) {
            const td = document.createElement("td"); td.textContent = String(v); tr.appendChild(td);
          }
          tbody.appendChild(tr);
        }
        table.appendChild(tbody);
        issuesBox.appendChild(table);
      }

      async function api(method, url, body, type) {
        const r = await fetch(url, { method, body, credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf, "Content-Type": type || "application/json" } });
        const text = await r.text();
        let json = null; try { json = text ? JSON.parse(text) : null; } catch (e) { json = { message: text }; }
        return { ok: r.ok, status: r.status, json };
      }

      async function checkManifest() {
        const m = chosenFiles().find((f) => isManifest(f.name));
        if (!m) { issuesBox.textContent = t("noManifest"); return true; }
        const r = await api("POST", "/api/v1/manifests/validate?name=" + encodeURIComponent(m.name), m, "application/octet-stream");
        if (r.ok && r.json.valid) { issuesBox.textContent = t("valid", { scans: r.json.scans, images: r.json.images }); return true; }
        showIssues(r.json);
        return false;
      }

      function put(url, file, bar) {
        return new Promise((resolve) => {
          const x = new XMLHttpRequest();
          x.open("PUT", url);
          x.setRequestHeader("X-CSRF-Token", csrf);
          x.setRequestHeader("Content-Type", "application/octet-stream");
          x.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = e.loaded / e.total; };
          x.onload = () => { let j = null; try { j = JSON.parse(x.responseText); } catch (e) {} resolve({ ok: x.status < 300, status: x.status, json: j }); };
          x.onerror = () => resolve({ ok: false, status: 0, json: { message: t("network") } });
          x.send(file);
        });
      }

      document.getElementById("check").addEventListener("click", checkManifest);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!(await checkManifest())) { statusLine.textContent = t("fixManifest"); return; }
        const files = chosenFiles();
        if (files.length === 0) { statusLine.textContent = t("chooseImages"); return; }
        progressBody.textContent = "";
        const bars = new Map();
        for (const f of files) {
          const tr = document.createElement("tr");
          const td = document.createElement("td"); td.textContent = f.name; tr.appendChild(td);
          const bar = document.createElement("progress"); bar.max = 1; bar.value = 0;
          const td2 = document.createElement("td"); td2.appendChild(bar); tr.appendChild(td2);
          progressBody.appendChild(tr); bars.set(f.name, bar);
        }
        statusLine.textContent = t("hashing");
        const declared = [];
        for (const f of files) declared.push({ name: f.name, sha256: await sha256(f), size: f.size });
        const created = await api("POST", "/api/v1/batches", JSON.stringify({ name: document.getElementById("name").value, files: declared }));
        if (!created.ok) { showIssues(created.json); statusLine.textContent = t("refused", { reason: reason(created.json) }); return; }
        const id = created.json.batch.id;
        const missing = new Set(created.json.missing);
        for (const [i, f] of files.entries()) {
          const bar = bars.get(f.name);
          if (!missing.has(declared[i].sha256)) { bar.value = 1; continue; }
          missing.delete(declared[i].sha256);
          const r = await put("/api/v1/batches/" + id + "/files/" + declared[i].sha256, f, bar);
          if (!r.ok) { showIssues(r.json); statusLine.textContent = t("fileRefused", { file: f.name, reason: reason(r.json) }); return; }
          bar.value = 1;
        }
        const done = await api("POST", "/api/v1/batches/" + id + "/commit", "");
        if (!done.ok) { showIssues(done.json); statusLine.textContent = t("commitRefused", { reason: reason(done.json) }); return; }
        statusLine.textContent = t("state", { id, state: stateName(done.json.state) });
        const poll = async () => {
          const r = await api("GET", "/api/v1/batches/" + id);
          if (!r.ok) return;
          statusLine.textContent = r.json.failures ? t("stateFailures", { id, state: stateName(r.json.state), failures: r.json.failures })
            : t("state", { id, state: stateName(r.json.state) });
          if (r.json.state === "queued" || r.json.state === "running") setTimeout(poll, 2000);
        };
        setTimeout(poll, 1000);
      });
    })();
    """#
}
