// The new link's Copy button: shown only where JavaScript runs (without it, the read-only
// input is selected by hand).
for (const button of document.querySelectorAll("button[data-copy-target]")) {
  const input = document.getElementById(button.dataset.copyTarget);
  if (!input || !navigator.clipboard) continue;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener("click", () => {
    input.select();
    navigator.clipboard.writeText(input.value).then(() => {
      button.textContent = button.dataset.copied || label;
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  });
}
document.addEventListener("focusin", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-select-on-focus")) {
    event.target.select();
  }
});
