// Filter a long <select> as you type in the search box that names it (data-filter-select="id").
// Without JavaScript the select still works on its own.
document.addEventListener("input", function (event) {
  const id = event.target.dataset && event.target.dataset.filterSelect;
  if (!id) return;
  const q = event.target.value.trim().toLowerCase();
  const select = document.getElementById(id);
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
});
