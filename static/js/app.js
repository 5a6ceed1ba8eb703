// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
});

// Unsaved answers cannot be lost by leaving the page: forms marked data-warn-unsaved ask
// before the page unloads while they hold changes that were not submitted.
const dirtyForms = new Set();
document.addEventListener("input", (event) => {
  const form = event.target.closest && event.target.closest("form[data-warn-unsaved]");
  if (form) dirtyForms.add(form);
});
document.addEventListener("change", (event) => {
  const form = event.target.closest && event.target.closest("form[data-warn-unsaved]");
  if (form) dirtyForms.add(form);
});
document.addEventListener("submit", (event) => dirtyForms.delete(event.target), true);
window.addEventListener("beforeunload", (event) => {
  for (const form of dirtyForms) {
    if (form.isConnected) {
      event.preventDefault();
      event.returnValue = "";
      return;
    }
  }
});

// A debounced request whose element was swapped out meanwhile (a site form already saved)
// would only show stale figures: drop it.
document.addEventListener("htmx:beforeRequest", (event) => {
  if (!event.detail.elt.isConnected) event.preventDefault();
});
