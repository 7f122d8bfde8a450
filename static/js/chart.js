// Org chart: find a person, role or team (highlight and open their branch); expand or collapse all.
// Delegated from document, so it keeps working after htmx swaps the workspace.
(function () {
  // A boosted navigation (the clone form) runs the new page's scripts again: listen once.
  if (window.outlineChartReady) return;
  window.outlineChartReady = true;
  function highlight(query) {
    const q = query.trim().toLowerCase();
    document.querySelectorAll(".tree li.position").forEach(function (li) {
      const hit = q !== "" && li.dataset.search.includes(q);
      li.classList.toggle("match", hit);
      li.classList.toggle("dim", q !== "" && !hit);
      if (hit) {
        for (let el = li.parentElement; el; el = el.parentElement) {
          if (el.tagName === "DETAILS") el.open = true;
        }
      }
    });
    const first = document.querySelector(".tree li.match");
    if (first) first.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("input", function (event) {
    if (event.target.id === "chart-search") highlight(event.target.value);
  });
  document.addEventListener("click", function (event) {
    const action = event.target.dataset && event.target.dataset.tree;
    if (!action) return;
    document.querySelectorAll(".tree details").forEach(function (d) { d.open = action === "expand"; });
  });
  // Text typed before this script ran (it loads deferred) still highlights.
  const early = document.getElementById("chart-search");
  if (early && early.value) highlight(early.value);
  document.addEventListener("htmx:afterSwap", function () {
    const box = document.getElementById("chart-search");
    if (box && box.value) highlight(box.value);
  });
})();
