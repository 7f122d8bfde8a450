// Filter a long <select> as you type in the search box that names it (data-filter-select="id").
// Without JavaScript the select still works on its own.
(function () {
  function filter(box) {
    const q = box.value.trim().toLowerCase();
    const select = document.getElementById(box.dataset.filterSelect);
    if (!select) return;
    let first = null;
    for (const option of select.options) {
      const hit = !option.value || option.text.toLowerCase().includes(q);
      option.hidden = !hit;
      if (hit && option.value && !first) first = option;
    }
    if (q && first && select.value !== first.value) {
      select.value = first.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }
  document.addEventListener("input", function (event) {
    if (event.target.dataset && event.target.dataset.filterSelect) filter(event.target);
  });
  // Text typed before the page was ready still filters. Wait for htmx to have wired the page (its
  // onLoad runs once it has), so the change this sends reaches the select's hx-get.
  function catchUp(root) {
    root.querySelectorAll("[data-filter-select]").forEach(function (box) { if (box.value) filter(box); });
  }
  if (window.htmx) window.htmx.onLoad(catchUp);
  else catchUp(document);
})();
