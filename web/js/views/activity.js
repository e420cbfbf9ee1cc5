// Alerts and audit: budget state changes, and every admin change with what it was before and after.

import { api, query } from "../api.js";
import { el, emptyState, panel, replace } from "../dom.js";
import { DataTable } from "../table.js";

function json(value) {
  return value === null || value === undefined ? "" : JSON.stringify(value, null, 2);
}

function changeCell(row) {
  if (row.before === null && row.after === null) return "";
  return el("details", {}, el("summary", {}, "before / after"),
    el("div", { class: "change" }, el("pre", { class: "before" }, json(row.before) || "(nothing)"), el("pre", { class: "after" }, json(row.after) || "(nothing)")));
}

export async function render(container, context) {
  const target = context.parameters.target ?? "";
  const [{ alerts }, { entries }] = await Promise.all([api.get("/v1/alerts"), api.get(`/v1/audit${query({ target: target || undefined, limit: 1000 })}`)]);
  if (!context.current()) return;

  const alertTable = new DataTable({
    id: "alert-table",
    sort: "time",
    filterLabel: "Filter alerts",
    columns: [
      { key: "time", label: "Time", kind: "time" },
      { key: "budget", label: "Budget" },
      { key: "change", label: "Change", value: (row) => `${row.from} → ${row.to}`,
        render: (row) => el("span", {}, el("span", { class: `badge state-${row.from}` }, row.from), " → ", el("span", { class: `badge state-${row.to}` }, row.to)) },
      { key: "explanation", label: "Why", value: (row) => row.status?.explanation ?? "" },
    ],
    rows: alerts,
  });
  const auditTable = new DataTable({
    id: "audit-table",
    sort: "time",
    filterLabel: "Filter by actor, action or target",
    columns: [
      { key: "time", label: "Time", kind: "time" },
      { key: "actor", label: "Actor" },
      { key: "action", label: "Action" },
      { key: "target", label: "Target" },
      { key: "change", label: "Change", value: () => "", render: changeCell },
    ],
    rows: entries,
  });
  const targetInput = el("input", { type: "search", id: "audit-target", value: target, placeholder: "budgets/support", "aria-label": "Target starts with" });
  const targetForm = el("form", { class: "toolbar", onsubmit: (event) => {
    event.preventDefault();
    context.navigate({ target: targetInput.value.trim() || undefined });
  } }, el("label", { for: "audit-target" }, "Target"), targetInput, el("button", { type: "submit" }, "Show"));
  replace(container,
    panel("Budget alerts", alerts.length ? alertTable.element
      : emptyState("No budget alerts yet.", "A budget alerts when it passes its warning line or its limit, and again when a new period resets it. Set budgets in the Budgets view.")),
    panel("Audit log", targetForm, entries.length ? auditTable.element
      : emptyState("No changes recorded.", "Every change to keys, prices, policies, overrides and budgets appears here with who made it.")));
}
