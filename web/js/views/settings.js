// Settings (admins): API keys (made with the secret shown once, listed, revoked), the price
// catalog (every version, an older one on request, a new one uploaded), and the alert webhooks.

import { api } from "../api.js";
import { code, el, emptyState, panel, replace } from "../dom.js";
import { confirmButton, field, form, FormProblems, input, select } from "../forms.js";
import { exactCount, money, time } from "../format.js";
import { DataTable } from "../table.js";

const roles = [["viewer", "viewer: reads spend"], ["router", "router: ships events, pulls the bundle"], ["admin", "admin: everything"]];

/** The new key's secret, shown once with a copy button. */
function secretBox(created) {
  const value = el("code", { id: "new-key-secret" }, created.key);
  const copied = el("span", { class: "hint", role: "status" });
  return el("div", { class: "warning secret", id: "new-key", role: "alert" },
    el("strong", {}, `Key ${created.name} (${created.role}) made. Copy it now: it is shown only this once.`),
    el("p", {}, value, " ", el("button", { type: "button", onclick: async () => {
      try {
        await navigator.clipboard.writeText(created.key);
        copied.textContent = "Copied.";
      } catch {
        copied.textContent = "Select the key and copy it.";
      }
    } }, "Copy"), " ", copied));
}

function keyForm(shown) {
  const name = input({ placeholder: "edge-eu-1", maxlength: "100", autocomplete: "off" });
  const role = select(roles, "router");
  const sources = input({ placeholder: "its own name; or edge,eu-*" });
  const sourcesField = field("Sources it may write", sources, "sources", "Router and admin keys: names and prefixes ending in *.");
  role.addEventListener("change", () => {
    sourcesField.hidden = role.value === "viewer";
  });
  return form("key-form", async (node) => {
    const problems = [];
    if (name.value.trim() === "") problems.push({ field: "name", message: "Name the key after who uses it, such as finance or edge-eu-1." });
    if (problems.length) throw new FormProblems(problems);
    const body = { name: name.value.trim(), role: role.value };
    if (role.value !== "viewer" && sources.value.trim()) body.sources = sources.value.trim();
    const created = await api.post("/v1/keys", body);
    node.reset();
    sourcesField.hidden = false;
    shown(created);
  }, el("h3", {}, "New key"),
  el("div", { class: "fields" }, field("Name", name, "name"), field("Role", role, "role"), sourcesField),
  el("button", { type: "submit" }, "Create key"));
}

async function keysPanel(context) {
  const { keys } = await api.get("/v1/keys");
  const newKey = el("div", { id: "new-key-slot" });
  const table = new DataTable({
    id: "key-table",
    sort: "name",
    rowKey: (row) => `${row.name}@${row.created_at}`,
    filterLabel: "Filter keys",
    columns: [
      { key: "name", label: "Name" },
      { key: "role", label: "Role" },
      { key: "sources", label: "May write", value: (row) => row.sources ?? "—" },
      { key: "created_at", label: "Created", kind: "time" },
      { key: "state", label: "State", value: (row) => (row.revoked_at ? `revoked ${time(row.revoked_at)}` : "active") },
      { key: "revoke", label: "", numeric: false, value: () => "", render: (row) => (row.revoked_at ? "" : confirmButton("Revoke", async () => {
        await api.delete(`/v1/keys/${encodeURIComponent(row.name)}`);
        context.refresh();
      }, { title: `Revoke ${row.name}: it stops working at once`, dataset: { admin: "", key: row.name } })) },
    ],
    rows: keys,
  });
  return panel("API keys", el("p", { class: "hint" }, "A key's secret is shown once, when it is made; Bursar keeps only its SHA-256. ",
    "Revoking stops a key at once (the last admin key cannot be revoked)."),
  newKey, keyForm((created) => replace(newKey, secretBox(created))), table.element);
}

function priceTable(catalog) {
  return new DataTable({
    id: "price-table",
    sort: "model",
    filterLabel: "Filter models",
    rowKey: (row) => `${row.provider}/${row.model}@${row.effective_from}`,
    columns: [
      { key: "provider", label: "Provider" },
      { key: "model", label: "Model" },
      { key: "effective_from", label: "From", kind: "time" },
      ...["input", "cached_input", "output", "reasoning"].map((kind) => ({
        key: kind, label: `${kind.replace("_", " ")} /1M`, numeric: true, sortValue: (row) => Number(row[kind]),
        render: (row) => el("span", { title: `$${row[kind]} per 1M tokens` }, money(row[kind])),
      })),
    ],
    rows: catalog.prices,
  }).element;
}

/** `{"prices": [...]}` as PUT /v1/prices takes it, from a catalog. */
function catalogDocument(catalog) {
  return JSON.stringify({ prices: catalog.prices.map(({ provider, model, effective_from, input, cached_input, output, reasoning }) =>
    ({ provider, model, effective_from, input, cached_input, output, reasoning })) }, null, 2);
}

function uploadForm(current, context) {
  const text = el("textarea", { id: "price-json", rows: "12", spellcheck: "false", "aria-label": "Price catalog JSON" }, catalogDocument(current));
  const file = el("input", { type: "file", accept: ".json,application/json", id: "price-file", "aria-label": "Load a JSON file" });
  file.addEventListener("change", async () => {
    if (file.files[0]) text.value = await file.files[0].text();
  });
  return form("price-form", async () => {
    let body;
    try {
      body = JSON.parse(text.value);
    } catch (error) {
      throw new FormProblems([{ field: "prices", message: `That is not JSON: ${error.message}` }]);
    }
    await api.put("/v1/prices", body);
    context.refresh();
  }, el("h3", {}, "New catalog version"),
  el("p", { class: "hint" }, "The whole catalog, USD per 1M tokens, as ", code("PUT /v1/prices"), " takes it. ",
    "Events keep the price they were costed at; the new version prices events from now on (and by effective_from)."),
  field("Catalog", text, "prices"), file, el("button", { type: "submit" }, "Validate and save"));
}

async function pricesPanel(context) {
  const [current, { versions }] = await Promise.all([api.get("/v1/prices"), api.get("/v1/prices/versions")]);
  const wanted = Number(context.parameters.prices ?? current.version);
  const shown = wanted === current.version ? current : await api.get(`/v1/prices?version=${wanted}`);
  const versionSelect = el("select", { id: "price-version", "aria-label": "Catalog version" }, versions.map((version) =>
    el("option", { value: String(version.version), selected: version.version === shown.version },
      `v${version.version} · ${time(version.created_at)} · ${version.author} · ${exactCount(version.prices)} prices${version.version === current.version ? " (in force)" : ""}`)));
  versionSelect.addEventListener("change", () => context.navigate({ prices: versionSelect.value }));
  return panel("Prices", el("div", { class: "toolbar" }, el("label", { for: "price-version" }, "Version"), versionSelect),
    shown.prices.length ? priceTable(shown) : emptyState("No prices yet.", "Upload a catalog below, or put policies/prices.yaml beside serve's --policies."),
    context.admin ? uploadForm(current, context) : null);
}

async function webhooksPanel() {
  const { webhooks } = await api.get("/v1/alerts/webhooks");
  const table = new DataTable({
    id: "webhook-table",
    sort: "url",
    rowKey: (row) => row.url,
    columns: [
      { key: "url", label: "URL" },
      { key: "delivered", label: "Delivered", kind: "count" },
      { key: "pending", label: "Pending", kind: "count" },
      { key: "given_up", label: "Given up", kind: "count" },
    ],
    rows: webhooks,
  });
  return panel("Alert webhooks",
    el("p", { class: "hint" }, "Budget alerts are posted to these URLs (retried with backoff, given up after 10 attempts). ",
      "They are set when the server starts, with ", code("bursar serve --alert-webhook https://…"),
      ", not from here: a target Bursar calls from inside your network is a server setting, not a dashboard one."),
    webhooks.length ? table.element : emptyState("No alert webhooks configured.", "Start serve with --alert-webhook URL (repeatable)."));
}

export async function render(container, context) {
  if (!context.admin) {
    replace(container, emptyState("Settings are for admin keys.", "Sign in with an admin key to manage keys and prices."));
    return;
  }
  const panels = await Promise.all([keysPanel(context), pricesPanel(context), webhooksPanel()]);
  if (!context.current()) return;
  replace(container, ...panels);
}
