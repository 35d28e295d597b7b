// custreg back office: search as you type, and an import's progress. No framework, no CDN.
"use strict";

function searchAsYouType(form) {
  const results = document.getElementById("results");
  let timer = null;
  let sent = 0;
  async function refresh() {
    const query = new URLSearchParams(new FormData(form));
    const mine = ++sent;
    const url = form.action + "?" + query.toString();
    const answer = await fetch(url, { headers: { "X-Partial": "rows" }, credentials: "same-origin" });
    if (!answer.ok || mine !== sent) return; // a later keystroke's answer wins
    results.innerHTML = await answer.text();
    results.setAttribute("data-query", query.get("q") || "");
    history.replaceState(null, "", url);
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  }
  form.querySelector("input[type=search]").addEventListener("input", later);
  form.querySelectorAll("select, input[type=checkbox]").forEach((el) => el.addEventListener("change", later));
}

function followImport(box) {
  const bar = document.getElementById("import-progress");
  const status = document.getElementById("import-status");
  const report = document.getElementById("import-report");
  async function poll() {
    const answer = await fetch(box.dataset.state, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!answer.ok) {
      if (answer.status >= 500) setTimeout(poll, 1000); // busy: ask again (any worker answers)
      return;
    }
    const state = await answer.json();
    bar.max = Math.max(1, state.rows);
    bar.value = state.done;
    status.textContent = state.done + " / " + state.rows;
    if (state.finished) {
      const r = state.report;
      const words = box.dataset.report || "created {created}, updated {updated}, failed {failed}";
      report.textContent = r
        ? words.replace("{created}", r.created).replace("{updated}", r.updated).replace("{failed}", r.failed)
        : state.failure;
      report.hidden = false;
      box.setAttribute("data-finished", "true");
      return;
    }
    setTimeout(poll, 300);
  }
  poll();
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("customer-search");
  if (form) searchAsYouType(form);
  const box = document.getElementById("import");
  if (box) followImport(box);
});
