// The dashboard shell: asks for a key once, learns its role, and shows the view named in the URL.

import { api, session } from "./api.js";
import { el, errorBox, replace } from "./dom.js";
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

const views = [
  { name: "overview", title: "Overview", module: overview, ranged: true },
  { name: "breakdown", title: "Breakdown", module: breakdown, ranged: true },
  { name: "spenders", title: "Top spenders", module: spenders, ranged: true },
  { name: "explore", title: "Requests", module: explore, ranged: true },
  { name: "budgets", title: "Budgets", module: budgets },
  { name: "overrides", title: "Overrides", module: overrides },
  { name: "policies", title: "Policies", module: policies },
  { name: "fleet", title: "Fleet", module: fleet },
  { name: "activity", title: "Alerts & audit", module: activity },
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
  $("who").hidden = true;
  replace($("view"));
  $("login").hidden = false;
  $("login-error").textContent = message;
  $("login-key").value = "";
  $("login-key").focus();
}

/** `#/name`, with the remembered time range for the views that show one. */
function viewLink(view) {
  const range = view.ranged ? new URLSearchParams(rememberedRange()).toString() : "";
  return `#/${view.name}${range ? `?${range}` : ""}`;
}

function renderNav(current) {
  replace($("nav"), views.map((view) => el("a", {
    href: viewLink(view),
    class: view === current ? "active" : null,
    "aria-current": view === current ? "page" : null,
    dataset: { view: view.name },
  }, view.title)));
  $("nav").hidden = false;
  replace($("who"), el("span", { class: `role role-${identity.role}`, id: "role" }, identity.role),
    el("span", { class: "key-name" }, identity.name),
    el("button", { type: "button", id: "sign-out", class: "link", onclick: signOut }, "Sign out"));
  $("who").hidden = false;
}

async function render() {
  if (!identity) return;
  closeDialogs();
  let { view, parameters } = location();
  if (view.ranged) {
    // A view opened without a range takes the one last chosen (and says so in its URL); one
    // opened with a range keeps it and makes it the one remembered.
    if (!parameters.range) {
      parameters = { ...parameters, ...rememberedRange() };
      history.replaceState(null, "", hashFor(view.name, parameters));
    }
    rememberRange(parameters);
  }
  const ticket = ++renderCount;
  $("login").hidden = true;
  renderNav(view);
  document.title = `${view.title} · Bursar`;
  const container = $("view");
  if (identity.role === "router") {
    replace(container, el("section", { class: "panel" }, el("h1", {}, "This is a router key"),
      el("p", {}, "Router keys ship events and pull the bundle; they cannot read spend. Sign in with a viewer or admin key.")));
    return;
  }
  const body = el("div", { class: "view-body", "aria-busy": "true" });
  const heading = el("div", { class: "view-head" }, el("h1", {}, view.title),
    view.ranged ? rangePicker(parameters, (range) => navigate(view.name, range, true)) : null);
  replace(container, heading, body);
  const context = {
    parameters,
    admin: identity.role === "admin",
    navigate: (next, merge = true) => navigate(view.name, next, merge),
    go: navigate,
    refresh: render,
    current: () => ticket === renderCount,
  };
  try {
    await view.module.render(body, context);
  } catch (error) {
    if (ticket === renderCount) replace(body, errorBox(error));
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

window.addEventListener("hashchange", render);
window.addEventListener("bursar:unauthorized", () => signOut());

if (session.key) {
  signIn(session.key).then(render, () => showLogin("The saved key no longer works; enter a key."));
} else {
  showLogin("");
}
