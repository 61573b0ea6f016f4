// Progressive enhancement only: the page works without this file.
// Ticking a filter box submits the filter form at once.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches && box.matches(".facet-form input[type=checkbox]")) {
    box.form.submit();
  }
});
