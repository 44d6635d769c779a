/// The upload page's script, served at /assets/upload.js (same origin, so the CSP needs no
/// 'unsafe-inline'). Same protocol as `sonoqc upload`: declare names + SHA-256, send what the
/// server lacks, commit. The manifest is checked first and its errors listed by line and field.
enum UploadScript {
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
        if (!body || !body.issues) { if (body && body.message) issuesBox.textContent = body.message; return; }
        const table = document.createElement("table");
        table.innerHTML = "<thead><tr><th>Line</th><th>Field</th><th>Found</th><th>Expected</th></tr></thead>";
        const tbody = document.createElement("tbody");
        for (const i of body.issues) {
          const tr = document.createElement("tr");
          for (const v of [i.line ?? "", i.field, i.found, i.expected]) {
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
        if (!m) { issuesBox.textContent = "No manifest chosen: each image folder becomes one scan."; return true; }
        const r = await api("POST", "/api/v1/manifests/validate?name=" + encodeURIComponent(m.name), m, "application/octet-stream");
        if (r.ok && r.json.valid) { issuesBox.textContent = "Manifest valid: " + r.json.scans + " scans, " + r.json.images + " images."; return true; }
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
          x.onerror = () => resolve({ ok: false, status: 0, json: { message: "network error" } });
          x.send(file);
        });
      }

      document.getElementById("check").addEventListener("click", checkManifest);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!(await checkManifest())) { statusLine.textContent = "Fix the manifest first; nothing was uploaded."; return; }
        const files = chosenFiles();
        if (files.length === 0) { statusLine.textContent = "Choose images first."; return; }
        progressBody.textContent = "";
        const bars = new Map();
        for (const f of files) {
          const tr = document.createElement("tr");
          const td = document.createElement("td"); td.textContent = f.name; tr.appendChild(td);
          const bar = document.createElement("progress"); bar.max = 1; bar.value = 0;
          const td2 = document.createElement("td"); td2.appendChild(bar); tr.appendChild(td2);
          progressBody.appendChild(tr); bars.set(f.name, bar);
        }
        statusLine.textContent = "Hashing…";
        const declared = [];
        for (const f of files) declared.push({ name: f.name, sha256: await sha256(f), size: f.size });
        const created = await api("POST", "/api/v1/batches", JSON.stringify({ name: document.getElementById("name").value, files: declared }));
        if (!created.ok) { showIssues(created.json); statusLine.textContent = "Refused: " + (created.json && created.json.message); return; }
        const id = created.json.batch.id;
        const missing = new Set(created.json.missing);
        for (const [i, f] of files.entries()) {
          const bar = bars.get(f.name);
          if (!missing.has(declared[i].sha256)) { bar.value = 1; continue; }
          missing.delete(declared[i].sha256);
          const r = await put("/api/v1/batches/" + id + "/files/" + declared[i].sha256, f, bar);
          if (!r.ok) { showIssues(r.json); statusLine.textContent = f.name + ": " + (r.json && r.json.message); return; }
          bar.value = 1;
        }
        const done = await api("POST", "/api/v1/batches/" + id + "/commit", "");
        if (!done.ok) { showIssues(done.json); statusLine.textContent = "Commit refused: " + (done.json && done.json.message); return; }
        statusLine.textContent = "Batch " + id + " is " + done.json.state + ".";
        const poll = async () => {
          const r = await api("GET", "/api/v1/batches/" + id);
          if (!r.ok) return;
          statusLine.textContent = "Batch " + id + " is " + r.json.state + (r.json.failures ? " (" + r.json.failures + " failures)" : "") + ".";
          if (r.json.state === "queued" || r.json.state === "running") setTimeout(poll, 2000);
        };
        setTimeout(poll, 1000);
      });
    })();
    """#
}
