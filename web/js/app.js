// The dashboard shell: asks for a key once, learns its role, and shows the view named in the URL.

import { api, session } from "./api.js";
import { el, errorBox, replace } from "./dom.js";
import { autoRefresh, freshness, markLoaded } from "./freshness.js";
import { displayZone, setDisplayZone } from "./format.js";
import { rangePicker, rememberedRange, rememberRange } from "./range.js";
import * as overview from "./views/overview.js";
import * as breakdown from "./views/breakdown.js";
import * as spenders from "./views/spenders.js";
import * as budgets from "./views/budgets.js";
import * as overrides from "./views/overrides.js";
import * as policies from "./views/policies.js";
import * as fleet from "./views/fleet.js";
import * as activity from "./views/activity.js";
import * as explore from "./views/explore.js";
import * as settings from "./views/settings.js";

// `refresh`: seconds between automatic refreshes when on (on by default where `auto`).
const views = [
  { name: "overview", title: "Overview", module: overview, ranged: true, refresh: 60, auto: true },
  { name: "breakdown", title: "Breakdown", module: breakdown, ranged: true, refresh: 60 },
  { name: "spenders", title: "Top spenders", module: spenders, ranged: true, refresh: 60 },
  { name: "explore", title: "Requests", module: explore, ranged: true, refresh: 60 },
  { name: "budgets", title: "Budgets", module: budgets, refresh: 30, auto: true },
  { name: "overrides", title: "Overrides", module: overrides, refresh: 60 },
  { name: "policies", title: "Policies", module: policies, ranged: true, refresh: 60 },
  { name: "fleet", title: "Fleet", module: fleet, refresh: 10, auto: true },
  // What just changed is what the audit is read for: it opens on the last 7 days, never on a
  // range carried from a spend view (which may end before today), and keeps its own.
  { name: "activity", title: "Alerts & audit", module: activity, ranged: true, ownRange: { range: "7d" }, refresh: 30, auto: true },
  { name: "settings", title: "Settings", module: settings, adminOnly: true },
];

const $ = (id) => document.getElementById(id);
let identity = null;
let renderCount = 0;

/** The view and its parameters from `#/name?a=b`. */
function location() {
  const [path, search = ""] = window.location.hash.replace(/^#\/?/, "").split("?");
  const view = views.find((candidate) => candidate.name === path) ?? views[0];
  return { view, parameters: Object.fromEntries(new URLSearchParams(search)) };
}

/** Goes to a view with parameters (merged into the current ones when `merge`). */
function navigate(name, parameters = {}, merge = false) {
  const current = location();
  window.location.hash = hashFor(name, merge ? { ...current.parameters, ...parameters } : parameters);
}

function hashFor(name, parameters) {
  const search = new URLSearchParams(Object.entries(parameters).filter(([, value]) => value !== undefined && value !== null));
  const text = search.toString();
  return `#/${name}${text ? `?${text}` : ""}`;
}

async function signIn(key) {
  session.key = key;
  try {
    identity = await api.get("/v1/whoami");
  } catch (error) {
    session.key = null;
    identity = null;
    throw error;
  }
}

/** Dialogs belong to the view that opened them. */
function closeDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) dialog.remove();
}

function signOut() {
  closeDialogs();
  session.key = null;
  identity = null;
  showLogin("");
}

function showLogin(message) {
  $("nav").hidden = true;
  $("menu-toggle").hidden = true;
  $("who").hidden = true;
  replace($("view"));
  $("login").hidden = false;
  $("login-error").textContent = message;
  $("login-key").value = "";
  $("login-key").focus();
}

/** `#/name`, with the remembered time range for the views that show one (or the view's own). */
function viewLink(view) {
  const range = view.ranged ? new URLSearchParams(view.ownRange ?? rememberedRange()).toString() : "";
  return `#/${view.name}${range ? `?${range}` : ""}`;
}

/** Time zones offered for showing times (the rollups' days stay UTC days). */
const zones = ["UTC", "America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney"];

function zonePicker() {
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offered = [...new Set([displayZone(), ...zones, ...(local ? [local] : [])])];
  const picker = el("select", { id: "display-zone", "aria-label": "Show times in", title: "Show times in this zone (days in charts and ranges stay UTC days)" },
    offered.map((zone) => el("option", { value: zone, selected: zone === displayZone() }, zone === local && zone !== "UTC" ? `${zone} (here)` : zone)));
  picker.addEventListener("change", () => {
    setDisplayZone(picker.value);
    render();
  });
  return el("label", { class: "check zone", for: "display-zone" }, "Times in", picker);
}

/** On a phone the views are behind a menu button; open, they are listed one under another. */
function setMenu(open) {
  $("menu-toggle").setAttribute("aria-expanded", String(open));
  document.body.classList.toggle("menu-open", open);
}

function renderNav(current) {
  replace($("nav"), views.filter((view) => !view.adminOnly || identity.role === "admin").map((view) => el("a", {
    href: viewLink(view),
    class: view === current ? "active" : null,
    "aria-current": view === current ? "page" : null,
    dataset: { view: view.name },
  }, view.title)));
  $("nav").hidden = false;
  $("menu-toggle").hidden = false;
  $("menu-toggle").textContent = `☰ ${current.title}`;
  setMenu(false);
  replace($("who"), el("span", { class: `role role-${identity.role}`, id: "role" }, identity.role),
    el("span", { class: "key-name" }, identity.name),
    el("button", { type: "button", id: "sign-out", class: "link", onclick: signOut }, "Sign out"));
  $("who").hidden = false;
}

/**
 * Shows the view in the URL. `quiet` (a refresh of the same view): the page keeps what it
 * shows until the new data is in, and keeps its scroll position.
 */
async function render({ quiet = false } = {}) {
  if (!identity) return;
  let { view, parameters } = location();
  if (view.ranged) {
    // A view opened without a range takes the one last chosen, or its own (and says so in its
    // URL); one opened with a range keeps it and, unless the view keeps its own, makes it the
    // one remembered.
    if (!parameters.range) {
      parameters = { ...parameters, ...(view.ownRange ?? rememberedRange()) };
      history.replaceState(null, "", hashFor(view.name, parameters));
    }
    if (!view.ownRange) rememberRange(parameters);
  }
  const container = $("view");
  const shown = container.querySelector(".view-body");
  quiet = quiet && shown !== null && shown.dataset.view === view.name;
  if (!quiet) closeDialogs();
  const ticket = ++renderCount;
  $("login").hidden = true;
  renderNav(view);
  document.title = `${view.title} · Bursar`;
  if (identity.role === "router") {
    replace(container, el("section", { class: "panel" }, el("h1", {}, "This is a router key"),
      el("p", {}, "Router keys ship events and pull the bundle; they cannot read spend. Sign in with a viewer or admin key.")));
    return;
  }
  const body = el("div", { class: "view-body", "aria-busy": "true", dataset: { view: view.name } },
    el("p", { class: "loading", role: "status" }, `Loading ${view.title.toLowerCase()}…`));
  const context = {
    parameters,
    admin: identity.role === "admin",
    navigate: (next, merge = true) => navigate(view.name, next, merge),
    go: navigate,
    refresh: () => render(),
    current: () => ticket === renderCount,
  };
  if (quiet) {
    shown.setAttribute("aria-busy", "true");
  } else {
    const heading = el("div", { class: "view-head" }, el("h1", {}, view.title),
      view.ranged ? rangePicker(parameters, (range) => navigate(view.name, range, true)) : null,
      el("div", { class: "head-tools" }, zonePicker(), freshness(view, () => render({ quiet: true }))));
    replace(container, heading, body);
  }
  const scroll = window.scrollY;
  try {
    await view.module.render(body, context);
    if (ticket !== renderCount) return;
    if (quiet) {
      shown.replaceWith(body);
      window.scrollTo(0, scroll);
    }
    markLoaded(new Date());
  } catch (error) {
    if (ticket !== renderCount) return;
    if (quiet) shown.replaceWith(body);
    replace(body, errorBox(error));
  } finally {
    if (ticket === renderCount) body.setAttribute("aria-busy", "false");
  }
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await signIn($("login-key").value.trim());
    render();
  } catch (error) {
    showLogin(error.status === 401 ? "That key is not valid (unknown or revoked)." : error.message);
  }
});

window.addEventListener("hashchange", () => render());
$("menu-toggle").addEventListener("click", () => setMenu($("menu-toggle").getAttribute("aria-expanded") !== "true"));
autoRefresh(() => location().view, () => render({ quiet: true }));
window.addEventListener("bursar:unauthorized", () => signOut());

if (session.key) {
  signIn(session.key).then(render, () => showLogin("The saved key no longer works; enter a key."));
} else {
  showLogin("");
}
