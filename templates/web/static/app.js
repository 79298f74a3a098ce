// saraban: small progressive helpers; every page works without them.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Forms that ask before doing something that cannot be undone.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
  // "Back" links: the browser's history (the link's own target without script).
  for (const link of document.querySelectorAll("a[data-back]")) {
    link.addEventListener("click", (e) => {
      if (window.history.length > 1) { e.preventDefault(); window.history.back(); }
    });
  }
  // Tracking tree: expand or collapse every branch.
  for (const button of document.querySelectorAll("button[data-tree]")) {
    button.addEventListener("click", () => {
      const open = button.dataset.tree === "open";
      for (const d of document.querySelectorAll("#tree details")) d.open = open;
    });
  }
  // Live preview of the compose form: page 1 as PNG, shortly after typing stops.
  const form = document.querySelector("form[data-preview]");
  const img = document.getElementById("preview");
  const err = document.getElementById("preview-error");
  if (form && img) {
    let timer = null, seq = 0, url = null;
    const refresh = async () => {
      const mine = ++seq;
      const body = new URLSearchParams(new FormData(form));
      try {
        const res = await fetch(form.dataset.preview, { method: "POST", body, credentials: "same-origin" });
        if (mine !== seq) return;
        if (res.ok) {
          const blob = await res.blob();
          if (url) URL.revokeObjectURL(url);
          url = URL.createObjectURL(blob);
          img.src = url;
          err.hidden = true;
          // The other pages, from the server's cache of this layout.
          const count = parseInt(res.headers.get("X-Page-Count") || "1", 10);
          const box = document.getElementById("preview-pages");
          const label = document.getElementById("preview-count");
          if (label) label.textContent = count > 1 ? "(" + count + " หน้า)" : "";
          if (box) {
            for (const old of box.querySelectorAll("img")) URL.revokeObjectURL(old.src);
            box.replaceChildren();
            for (let p = 2; p <= count; p++) {
              const r = await fetch(form.dataset.preview + "?page=" + p, { method: "POST", body, credentials: "same-origin" });
              if (mine !== seq) return;
              if (!r.ok) break;
              const page = document.createElement("img");
              page.src = URL.createObjectURL(await r.blob());
              page.alt = "ตัวอย่างหนังสือ หน้า " + p;
              page.width = 496;
              page.className = "preview-page";
              box.append(page);
            }
            box.dataset.pages = String(count);
          }
          img.dataset.ready = String(mine);
        } else {
          const data = await res.json().catch(() => null);
          err.textContent = data && data.error ? data.error.message_th : "แสดงตัวอย่างไม่ได้";
          err.hidden = false;
        }
      } catch (_) { /* offline: keep the last preview */ }
    };
    form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 400); });
    // A grid's merged cell: the cell it swallows is shown as part of it.
    const marks = () => {
      for (const box of form.querySelectorAll("table.grid-editor input[type=checkbox]")) {
        const next = box.closest("td").nextElementSibling;
        if (next) next.classList.toggle("merged", box.checked);
      }
    };
    form.addEventListener("change", marks);
    marks();
    // A list schedule's break row: a line to fill in the times of.
    for (const b of form.querySelectorAll("button[data-break-row]")) {
      b.addEventListener("click", () => {
        const area = document.getElementById(b.dataset.breakRow);
        if (!area) return;
        area.value = (area.value.trim() ? area.value.trimEnd() + "\n" : "") + " -  | พักรับประทานอาหารว่าง";
        area.focus();
        form.dispatchEvent(new Event("input"));
      });
    }
    refresh();
  }
});
