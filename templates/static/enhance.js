// Progressive enhancement only: the page works without this file.

// Leave empty or default fields out of the URL, so shared links stay short.
function tidy(form) {
  for (const field of form.querySelectorAll("input[name], select[name]")) {
    const isDefault = field.name === "year_field" && field.value === "death";
    if ((field.value === "" || isDefault) && field.type !== "checkbox") {
      field.disabled = true;
    }
  }
}

document.addEventListener("submit", (event) => {
  if (event.target.matches && event.target.matches(".facet-form")) {
    tidy(event.target);
  }
});

// Ticking a filter box submits the filter form at once.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches && box.matches(".facet-form input[type=checkbox]")) {
    tidy(box.form);
    box.form.submit();
  }
});

// Coming back to the page (back button) must not leave fields disabled.
window.addEventListener("pageshow", () => {
  for (const field of document.querySelectorAll(".facet-form [disabled]")) {
    field.disabled = false;
  }
});
