// Tagflow's admin app works without this file; it only adds comforts.
"use strict";
// What only works with this script stays hidden without it; shown again after each enhanced navigation,
// which patches the page from the server's HTML.
const reveal = () => {
  document.querySelectorAll("[data-copy][hidden], [data-select-all][hidden]").forEach((element) => { element.hidden = false; });
  document.querySelectorAll("select[data-wait-unit]").forEach(showWaitInputs);
};
// A campaign's wait step shows the inputs of its kind only: an amount, or a day and a time.
const showWaitInputs = (unit) => {
  const step = unit.closest(".step");
  if (!step) return;
  const untilDay = unit.value === "weekday";
  step.querySelectorAll(".wait-amount").forEach((element) => { element.hidden = untilDay; });
  step.querySelectorAll(".wait-day").forEach((element) => { element.hidden = !untilDay; });
};
document.addEventListener("change", (event) => {
  if (event.target.matches && event.target.matches("select[data-wait-unit]")) showWaitInputs(event.target);
});
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
// An opt-in process's page shows its confirmation email as it is typed: the form goes to the page's preview
// address (with its antiforgery token; nothing is saved) and the answer fills the preview, the text parts as
// text and the HTML part into its sandboxed frame, which runs no script. Without this file, "Preview" does it.
let previewTimer = 0;
let previewRound = 0;
const showPreview = async (form) => {
  const round = ++previewRound;
  const response = await fetch(form.dataset.preview, { method: "POST", body: new FormData(form), credentials: "same-origin" });
  if (!response.ok || round !== previewRound) return;
  const email = await response.json();
  const element = (id) => document.getElementById(id) || {};
  element("preview-from").textContent = email.from;
  element("preview-subject").textContent = email.subject;
  element("preview-text").textContent = email.text;
  element("preview-problem").textContent = email.problem || "";
  element("preview-problem").hidden = !email.problem;
  element("preview-no-html").hidden = email.html.length > 0;
  element("preview-html").hidden = email.html.length === 0;
  element("preview-html").srcdoc = email.html;
};
document.addEventListener("input", (event) => {
  const form = event.target.closest && event.target.closest("form[data-preview]");
  if (!form) return;
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => showPreview(form).catch(() => {}), 250);
});
