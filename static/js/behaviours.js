// Small behaviours the markup asks for with data- attributes, so no page needs inline script (the
// Content-Security-Policy refuses it). Delegated from document: they keep working after htmx swaps.
//   <form data-confirm="Question?">  asks first; on Cancel nothing is sent (htmx-boosted forms too);
//   <select data-autosubmit>         sends its form when the choice changes;
//   <button data-print>              opens the browser's print dialog.
(function () {
  document.addEventListener(
    "submit",
    function (event) {
      const question = event.target.dataset && event.target.dataset.confirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true // capture: before htmx's own listener on the form
  );
  document.addEventListener("change", function (event) {
    const field = event.target;
    if (field.dataset && "autosubmit" in field.dataset && field.form) field.form.requestSubmit();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
})();
