// Alerts and audit: budget state changes, and every admin change in the chosen time range, who
// made it, the policy names behind revisions, and what changed as a line diff.

import { api, query } from "../api.js";
import { el, emptyState, panel, replace } from "../dom.js";
import { diffView, lineDiff } from "../diff.js";
import { revision } from "../format.js";
import { resolveRange } from "../range.js";
import { DataTable } from "../table.js";

function lines(value) {
  return value === null || value === undefined ? [] : JSON.stringify(value, null, 2).split("\n");
}

/** What an entry changed, as a diff from before to after (all added for a creation). */
export function changeLines(entry) {
  return lineDiff(lines(entry.before), lines(entry.after));
}

function changeCell(entry) {
  if (entry.before === null && entry.after === null) return "";
  const verb = entry.before === null ? "created" : entry.after === null ? "deleted" : "changed";
  const changes = changeLines(entry).filter((line) => !line.startsWith("  ")).length;
  return el("details", { class: "audit-change" }, el("summary", {}, `${verb} · ${changes} ${changes === 1 ? "line" : "lines"}`),
    diffView(changeLines(entry), null));
}

/** "policies/1a2b3c4d5e6f (cheap-first)": a policy's name beside its revision. */
export function targetLabel(target, policyNames) {
  const match = /^policies\/([0-9a-f]{12,64})$/.exec(target);
  if (!match) return target;
  const name = policyNames.get(match[1]);
  return `policies/${revision(match[1])}${name ? ` (${name})` : ""}`;
}

function reasonOf(entry) {
  return typeof entry.after?.reason === "string" ? entry.after.reason : "";
}

export async function render(container, context) {
  const target = context.parameters.target ?? "";
  const range = resolveRange(context.parameters);
  const [{ alerts }, { entries }, { policies }] = await Promise.all([
    api.get(`/v1/alerts${query({ from: range.from, to: range.to })}`),
    api.get(`/v1/audit${query({ from: range.from, to: range.to, target: target || undefined, limit: 10000 })}`),
    api.get("/v1/policies"),
  ]);
  if (!context.current()) return;
  const policyNames = new Map(policies.map((policy) => [policy.revision, policy.name]));

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
    filterLabel: "Filter by actor, action, target or reason",
    rowKey: (row) => String(row.id),
    columns: [
      { key: "time", label: "Time", kind: "time" },
      { key: "actor", label: "Actor" },
      { key: "action", label: "Action" },
      { key: "target", label: "Target", value: (row) => targetLabel(row.target, policyNames) },
      { key: "reason", label: "Reason", value: reasonOf },
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
      : emptyState("No budget alerts in this range.", "A budget alerts when it passes its warning line or its limit, and again when a new period resets it. Set budgets in the Budgets view.")),
    panel("Audit log", targetForm, entries.length ? auditTable.element
      : emptyState("No changes recorded in this range.", "Every change to keys, prices, policies, overrides and budgets appears here with who made it. Widen the time range above.")));
}
