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

// Wide screens show the filters open; browsers without ::details-content need the attribute.
const panel = document.querySelector("details.filter-panel");
if (panel && window.matchMedia("(min-width: 761px)").matches) {
  panel.open = true;
}

// The error summary takes focus, as GOV.UK's does, so it is read out first.
const summary = document.querySelector(".error-summary");
if (summary) {
  summary.focus();
}

// A long facet's "Find" box narrows its list as you type (without script, its button
// asks the server for the values that match).
document.addEventListener("input", (event) => {
  const box = event.target;
  if (!box.matches || !box.matches(".facet-find input[type=search]")) {
    return;
  }
  const wanted = box.value.trim().toLowerCase();
  const list = document.getElementById(box.dataset.filters);
  for (const item of list ? list.children : []) {
    const label = item.querySelector("label");
    const checked = item.querySelector("input:checked");
    item.hidden = Boolean(wanted) && !checked && !label.textContent.toLowerCase().includes(wanted);
  }
});
// The box is for finding, not for the URL: leave it out when the filters are applied.
document.addEventListener("submit", (event) => {
  if (event.submitter && event.submitter.classList.contains("find-button")) {
    return;
  }
  for (const box of event.target.querySelectorAll ? event.target.querySelectorAll(".facet-find input") : []) {
    box.disabled = true;
  }
});
