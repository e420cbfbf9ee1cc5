// When a view's data was loaded, a refresh control, and automatic refreshes (every view says
// how old its figures are; the auto-refresh choice is kept per view for this tab).

import { el } from "./dom.js";
import { timeSeconds } from "./format.js";

const STORAGE = "bursar.auto.";
let loadedAt = null;

function autoOn(view) {
  const stored = sessionStorage.getItem(STORAGE + view.name);
  return stored === null ? Boolean(view.auto) : stored === "on";
}

/** "Updated 2026-12-01 10:15:03 UTC" (in the display zone), a Refresh button and the Auto-refresh switch, for a view's heading. */
export function freshness(view, refresh) {
  const checkbox = el("input", { type: "checkbox", id: "auto-refresh", checked: autoOn(view) });
  checkbox.addEventListener("change", () => sessionStorage.setItem(STORAGE + view.name, checkbox.checked ? "on" : "off"));
  return el("div", { class: "freshness" },
    el("span", { id: "loaded-at", class: "hint", role: "status" }, "Loading…"),
    el("button", { type: "button", id: "refresh", onclick: refresh }, "Refresh"),
    view.refresh ? el("label", { class: "check", for: "auto-refresh", title: `Refresh every ${view.refresh} s while this tab is shown` },
      checkbox, `Auto (${view.refresh} s)`) : null);
}

/** Says when the shown data was loaded. */
export function markLoaded(date) {
  loadedAt = date;
  const label = document.getElementById("loaded-at");
  if (label) {
    label.textContent = `Updated ${timeSeconds(date.toISOString())}`;
    label.dataset.loadedAt = date.toISOString();
  }
}

/** Whether a field differs from what the page put in it (typed into, or chosen). */
export function changed(field) {
  if (field.tagName === "SELECT") {
    const options = [...field.options];
    if (field.multiple) return options.some((option) => option.selected !== option.defaultSelected);
    // A single choice with no option marked shows its first one until someone chooses.
    const shown = Math.max(0, options.findIndex((option) => option.defaultSelected));
    return options.length > 0 && field.selectedIndex !== shown;
  }
  if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
  return field.value !== field.defaultValue;
}

/** Whether someone is in the middle of something a refresh would undo. */
export function busy() {
  const active = document.activeElement;
  const fields = [...document.querySelectorAll("#view input, #view textarea, #view select")].filter((field) => field.id !== "auto-refresh");
  const editing = (active && fields.includes(active)) || fields.some(changed);
  return document.hidden || editing || document.querySelector("dialog[open]") !== null
    || document.querySelector(".view-body[aria-busy=true]") !== null
    || document.querySelector("#view [data-keep]") !== null
    || document.querySelector("#view [aria-expanded=true], #view details[open]") !== null;
}

/** Refreshes the shown view when its interval has passed and it is switched on. */
export function autoRefresh(currentView, refresh) {
  setInterval(() => {
    const view = currentView();
    if (!loadedAt || !view.refresh || !autoOn(view) || !document.getElementById("auto-refresh")) return;
    if (Date.now() - loadedAt.getTime() < view.refresh * 1000 || busy()) return;
    loadedAt = new Date();
    refresh();
  }, 1000);
}
