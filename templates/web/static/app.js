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
          img.dataset.ready = String(mine);
          err.hidden = true;
        } else {
          const data = await res.json().catch(() => null);
          err.textContent = data && data.error ? data.error.message_th : "แสดงตัวอย่างไม่ได้";
          err.hidden = false;
        }
      } catch (_) { /* offline: keep the last preview */ }
    };
    form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 400); });
    refresh();
  }
});
