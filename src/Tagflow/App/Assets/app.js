// Tagflow's admin app works without this file; it only adds comforts.
"use strict";
// What only works with this script stays hidden without it; shown again after each enhanced navigation,
// which patches the page from the server's HTML.
const reveal = () => {
  document.querySelectorAll("[data-copy][hidden], [data-select-all][hidden]").forEach((element) => { element.hidden = false; });
};
document.addEventListener("DOMContentLoaded", () => {
  reveal();
  if (window.Blazor) window.Blazor.addEventListener("enhancedload", reveal);
});
document.addEventListener("click", (event) => {
  // A button or link with data-confirm asks first.
  const asking = event.target.closest("[data-confirm]");
  if (asking && !window.confirm(asking.dataset.confirm)) event.preventDefault();
  // "Select all" ticks every row of its table.
  const all = event.target.closest("input[data-select-all]");
  if (all) document.querySelectorAll("input[name='selected']").forEach((box) => { box.checked = all.checked; });
  // Copy buttons put their target's text on the clipboard.
  const copy = event.target.closest("button[data-copy]");
  if (copy && navigator.clipboard) {
    const source = document.getElementById(copy.dataset.copy);
    if (source) navigator.clipboard.writeText(source.textContent.trim()).then(() => { copy.textContent = "Copied"; });
  }
});
