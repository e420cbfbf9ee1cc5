// Budgets: each with its burn, state, forecast and the server's explanation; admins edit them.

import { api } from "../api.js";
import { code, el, emptyState, panel, replace } from "../dom.js";
import { money, share, time } from "../format.js";
import { confirmButton, field, form, FormProblems, input, select } from "../forms.js";

const scopes = ["", "user", "team", "feature", "tier", "model", "provider"];

/**
 * The fraction of the limit the warn field means: a percent ("80", "80%", "12.5") or, typed
 * below 1 without a percent sign, a fraction ("0.8" is 80%, as the API writes it). Text that
 * is no number goes to the server as typed, which names the problem.
 */
export function warnFraction(text) {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const percentSign = trimmed.endsWith("%");
  const digits = percentSign ? trimmed.slice(0, -1).trim() : trimmed;
  // Plain decimals only: Number() would also take "0x10" and "1e2".
  if (!/^\d*\.?\d+$/.test(digits)) return trimmed;
  const number = Number(digits);
  if (!percentSign && number > 0 && number < 1) return number;
  return Math.round(number * 1e6) / 1e8;
}

function burnBar(status) {
  const spent = share(status.spent_usd, status.limit_usd);
  const forecast = share(status.forecast_usd, status.limit_usd);
  const fill = el("span", { class: `burn-fill state-${status.state}` });
  fill.style.width = `${Math.min(100, spent * 100)}%`;
  const marker = el("span", { class: "burn-forecast", title: `Forecast ${money(status.forecast_usd)}` });
  marker.style.left = `${Math.min(100, forecast * 100)}%`;
  return el("div", { class: "burn", role: "meter", "aria-valuemin": "0", "aria-valuemax": "100",
    "aria-valuenow": String(Math.round(spent * 100)), "aria-label": "Spent of the limit" }, fill, marker);
}

function budgetCard(budget, context, edit) {
  const status = budget.status;
  const scope = Object.entries(budget.scope ?? {}).map(([name, value]) => `${name} = ${value}`).join(", ") || "all traffic";
  return el("article", { class: "budget", dataset: { id: budget.id, state: status.state } },
    el("header", {}, el("h3", {}, budget.id), el("span", { class: `badge state-${status.state}` }, status.state)),
    el("p", { class: "budget-scope" }, `${scope} · per ${budget.period} (${budget.timezone}) · ${budget.action}`,
      budget.downgrade_to ? ` to ${budget.downgrade_to}` : ""),
    el("p", { class: "budget-period hint" }, `This ${budget.period}: ${time(status.period_start, budget.timezone)} → ${time(status.period_end, budget.timezone)}`),
    burnBar(status),
    el("p", { class: "budget-figures" }, el("strong", { dataset: { value: status.spent_usd } }, money(status.spent_usd)),
      ` of ${money(status.limit_usd)} · forecast ${money(status.forecast_usd)} · remaining ${money(status.remaining_usd)}`),
    el("p", { class: "explanation" }, status.explanation),
    context.admin ? el("div", { class: "actions" },
      el("button", { type: "button", dataset: { admin: "" }, onclick: () => edit(budget) }, "Edit"),
      confirmButton("Delete", async () => {
        await api.delete(`/v1/budgets/${encodeURIComponent(budget.id)}`);
        context.refresh();
      })) : null);
}

function budgetForm(tiers, context) {
  const id = input({ placeholder: "support-monthly", required: true });
  const scopeName = select(scopes.map((name) => [name, name || "everything"]), "", { id: "field-scope-name" });
  const scopeValue = input({ placeholder: "support-chat" });
  const period = select(["day", "week", "month"], "month");
  const timezone = input({ value: "UTC" });
  const limit = input({ inputmode: "decimal", placeholder: "5000.00" });
  const warnAt = input({ inputmode: "decimal", value: "80" });
  const warnMeaning = el("span", { id: "warn-at-meaning" });
  const explainWarn = () => {
    const fraction = warnFraction(warnAt.value);
    warnMeaning.textContent = typeof fraction !== "number" ? "A percent of the limit, such as 80 (or the fraction 0.8)."
      : fraction > 1 ? "More than 100% of the limit: not allowed."
        : `Warns once ${+(fraction * 100).toFixed(4)}% of the limit is spent.`;
  };
  warnAt.addEventListener("input", explainWarn);
  explainWarn();
  const action = select(["alert", "downgrade", "block"], "alert");
  const downgradeTo = select(["", ...tiers], "");
  const title = el("h2", {}, "New budget");
  const submit = el("button", { type: "submit" }, "Save budget");
  // Editing: back to a new budget, nothing saved.
  const cancel = el("button", { type: "button", id: "budget-cancel", hidden: true, onclick: () => context.refresh() }, "Cancel");
  const node = form("budget-form", async () => {
    const body = { period: period.value, timezone: timezone.value.trim() || "UTC", limit_usd: limit.value.trim(), action: action.value };
    if (scopeName.value) body.scope = { [scopeName.value]: scopeValue.value.trim() };
    const fraction = warnFraction(warnAt.value);
    const problems = [];
    if (id.value.trim() === "") problems.push({ field: "id", message: "Give the budget an id, such as support-monthly." });
    if (scopeName.value && scopeValue.value.trim() === "") problems.push({ field: "scope", message: `Name the ${scopeName.value} this budget is for.` });
    if (body.limit_usd === "") problems.push({ field: "limit_usd", message: "Enter the limit in US dollars, such as 5000.00." });
    if (typeof fraction === "number" && !(fraction >= 0 && fraction <= 1)) {
      problems.push({ field: "warn_at", message: "Warn at is a percent of the limit, from 0 to 100." });
    }
    if (action.value === "downgrade" && !downgradeTo.value) problems.push({ field: "downgrade_to", message: "Choose the tier to downgrade to." });
    if (problems.length) throw new FormProblems(problems);
    if (fraction !== null) body.warn_at = fraction;
    if (downgradeTo.value) body.downgrade_to = downgradeTo.value;
    await api.put(`/v1/budgets/${encodeURIComponent(id.value.trim())}`, body);
    context.refresh();
  }, title,
  el("div", { class: "fields" },
    field("Id", id, "id"),
    field("Scope", el("span", { class: "pair" }, scopeName, scopeValue), "scope"),
    field("Period", period, "period"),
    field("Time zone (IANA)", timezone, "timezone"),
    field("Limit (USD)", limit, "limit_usd"),
    field("Warn at (% of the limit)", warnAt, "warn_at", warnMeaning),
    field("When exceeded", action, "action"),
    field("Downgrade to", downgradeTo, "downgrade_to", "for the downgrade action")),
  el("div", { class: "actions" }, submit, cancel));
  node.edit = (budget) => {
    title.textContent = `Edit ${budget.id}`;
    cancel.hidden = false;
    id.value = budget.id;
    id.readOnly = true;
    const [name, value] = Object.entries(budget.scope ?? {})[0] ?? ["", ""];
    scopeName.value = name;
    scopeValue.value = value;
    period.value = budget.period;
    timezone.value = budget.timezone;
    limit.value = budget.limit_usd.replace(/\.?0+$/, "");
    // With its percent sign: "0.5%" must not read back as the fraction 0.5.
    warnAt.value = `${+(budget.warn_at * 100).toFixed(4)}%`;
    explainWarn();
    action.value = budget.action;
    downgradeTo.value = budget.downgrade_to ?? "";
    node.scrollIntoView({ block: "start" });
    limit.focus();
  };
  return node;
}

export async function render(container, context) {
  const [{ budgets }, bundle] = await Promise.all([api.get("/v1/budgets"), api.get("/v1/bundle")]);
  if (!context.current()) return;
  const tiers = bundle.policy.tiers.map((tier) => tier.name);
  const editor = context.admin ? budgetForm(tiers, context) : null;
  const list = budgets.length
    ? el("div", { class: "budgets", id: "budget-list" }, budgets.map((budget) => budgetCard(budget, context, (chosen) => editor.edit(chosen))))
    : emptyState("No budgets yet.", context.admin
      ? "Create one below: a limit per day, week or month for everything or for one user, team, feature, tier, model or provider."
      : el("span", {}, "An admin can create them here or with ", code("PUT /v1/budgets/{id}"), "."));
  replace(container, list, editor ? panel(null, editor) : null);
}
