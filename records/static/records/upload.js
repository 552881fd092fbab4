// Upload with a progress bar (plain XHR; the form still works without JavaScript).
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-upload]")) {
    const zone = form.querySelector(".dropzone");
    const input = form.querySelector("input[type=file]");
    const bar = form.querySelector(".upload-progress");
    const label = zone.querySelector("span");
    const show = () => { label.textContent = input.files.length ? `${input.files.length} file(s): ${[...input.files].map(f => f.name).join(", ")}` : label.textContent; };
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(type => zone.addEventListener(type, e => { e.preventDefault(); zone.classList.add("over"); }));
    ["dragleave", "drop"].forEach(type => zone.addEventListener(type, () => zone.classList.remove("over")));
    zone.addEventListener("drop", e => { e.preventDefault(); input.files = e.dataTransfer.files; show(); });
    form.addEventListener("submit", e => {
      if (!input.files.length) return;
      e.preventDefault();
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.responseType = "json";
      bar.hidden = false;
      xhr.upload.addEventListener("progress", ev => { if (ev.lengthComputable) bar.value = Math.round(100 * ev.loaded / ev.total); });
      xhr.addEventListener("load", () => {
        const target = xhr.response && xhr.response.redirect;
        if (target) {
          const next = new URL(target, window.location.href);
          const samePage = next.pathname === window.location.pathname && next.search === window.location.search;
          if (samePage) { window.location.hash = next.hash; window.location.reload(); } else { window.location.assign(next); }
        }
        else { bar.hidden = true; label.textContent = `The upload failed (${xhr.status}). Some files may have been stored: reload the page to see which, then upload the rest.`; }
      });
      xhr.addEventListener("error", () => { bar.hidden = true; label.textContent = "The upload failed (network error). Nothing was lost: try again."; });
      xhr.send(new FormData(form));
    });
  }
});
