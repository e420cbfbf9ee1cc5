// Overrides: admins pin users, teams or features to a tier (force, at least, at most) for a while.

import { api } from "../api.js";
import { code, el, emptyState, panel, replace } from "../dom.js";
import { confirmButton, field, form, FormProblems, input, select } from "../forms.js";
import { DataTable } from "../table.js";
import { time } from "../format.js";
import { ruleWarnings } from "../overlap.js";

const effects = [["force_tier", "force tier"], ["min_tier", "at least tier"], ["max_tier", "at most tier"]];
const durations = [["1", "1 hour"], ["8", "8 hours"], ["24", "1 day"], ["168", "1 week"], ["720", "30 days"], ["", "never"]];

/** The new-override form, which also edits one (`edit(row)`): its id kept, Cancel to leave. */
function overrideForm(policy, context) {
  const tiers = policy.tiers.map((tier) => tier.name);
  const ladder = policy.ladder ?? tiers;
  const id = input({ placeholder: "ceo-frontier" });
  const user = input({ placeholder: "ceo@example.com" });
  const team = input({ placeholder: "legal" });
  const feature = input({ placeholder: "contract-review" });
  const effect = select(effects, "force_tier");
  const tier = select(tiers, ladder[ladder.length - 1] ?? tiers[0]);
  const expires = select(durations, "24");
  const reason = input({ placeholder: "why (shown to everyone)" });
  const heading = el("h2", {}, "New override");
  const submit = el("button", { type: "submit" }, "Save override");
  const warnings = el("ul", { class: "override-warnings", id: "override-warnings", "aria-live": "polite" });
  const matchOf = () => Object.fromEntries([["user", user], ["team", team], ["feature", feature]]
    .filter(([, node]) => node.value.trim() !== "").map(([name, node]) => [name, node.value.trim()]));
  const check = () => replace(warnings, ruleWarnings({ match: matchOf(), effect: effect.value, tier: tier.value }, policy)
    .map((warning) => el("li", { class: `warning-${warning.kind}` }, warning.message)));
  for (const node of [user, team, feature]) node.addEventListener("input", check);
  for (const node of [effect, tier]) node.addEventListener("change", check);
  let editing = null;
  const cancel = el("button", { type: "button", id: "override-cancel", hidden: true, onclick: () => context.refresh() }, "Cancel");
  const node = form("override-form", async () => {
    const match = matchOf();
    const problems = [];
    if (id.value.trim() === "") problems.push({ field: "id", message: "Give the override an id, such as ceo-frontier." });
    if (Object.keys(match).length === 0) problems.push({ field: "match", message: "Name a user, team or feature for it to match." });
    if (problems.length) throw new FormProblems(problems);
    const body = { match, effect: effect.value, tier: tier.value, reason: reason.value.trim() };
    if (expires.value === "keep") body.expires_at = editing.expires_at;
    else if (expires.value) body.expires_at = new Date(Date.now() + Number(expires.value) * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
    await api.put(`/v1/overrides/${encodeURIComponent(id.value.trim())}`, body);
    context.refresh();
  }, heading,
  el("div", { class: "fields" },
    field("Id", id, "id"),
    field("User", user, "match.user"),
    field("Team", team, "match.team"),
    field("Feature", feature, "match.feature"),
    field("Effect", effect, "effect"),
    field("Tier", tier, "tier"),
    field("Expires in", expires, "expires_at"),
    field("Reason", reason, "reason")),
  el("p", { class: "field-error", dataset: { errorFor: "match" }, role: "alert" }),
  warnings,
  el("div", { class: "actions" }, submit, cancel));
  const edit = (row) => {
    editing = row;
    heading.textContent = `Edit override ${row.id}`;
    id.value = row.id;
    id.readOnly = true;
    user.value = row.match.user ?? "";
    team.value = row.match.team ?? "";
    feature.value = row.match.feature ?? "";
    effect.value = row.effect;
    tier.value = row.tier;
    reason.value = row.reason ?? "";
    expires.querySelector("option[value=keep]")?.remove();
    if (row.expires_at) {
      expires.prepend(el("option", { value: "keep" }, `as it is (${time(row.expires_at)})`));
      expires.value = "keep";
    } else {
      expires.value = "";
    }
    submit.textContent = "Save changes";
    cancel.hidden = false;
    check();
    node.scrollIntoView({ block: "nearest" });
    user.focus();
  };
  return { node, edit };
}

export async function render(container, context) {
  const [{ overrides }, bundle] = await Promise.all([api.get("/v1/overrides"), api.get("/v1/bundle")]);
  if (!context.current()) return;
  const editor = context.admin && bundle.policy ? overrideForm(bundle.policy, context) : null;
  const columns = [
    { key: "id", label: "Id" },
    { key: "match", label: "Matches", value: (row) => Object.entries(row.match).map(([name, value]) => `${name} = ${value}`).join(", ") },
    { key: "effect", label: "Effect", value: (row) => `${row.effect.replace("_", " ")} ${row.tier}` },
    { key: "expires_at", label: "Expires", kind: "time", value: (row) => row.expires_at },
    { key: "reason", label: "Reason" },
    { key: "author", label: "By" },
    { key: "rules", label: "Against the policy", value: (row) => ruleWarnings(row, bundle.policy).map((warning) => warning.message).join(" ") },
  ];
  if (context.admin) {
    columns.push({ key: "edit", label: "", numeric: false, value: () => "", render: (row) => el("button", { type: "button", class: "edit",
      dataset: { admin: "", id: row.id }, onclick: () => editor?.edit(row) }, "Edit") });
    columns.push({ key: "delete", label: "", numeric: false, value: () => "", render: (row) => confirmButton("Delete", async () => {
      await api.delete(`/v1/overrides/${encodeURIComponent(row.id)}`);
      context.refresh();
    }) });
  }
  const list = overrides.length
    ? panel(null, new DataTable({ id: "override-table", columns, rows: overrides, sort: "id", rowKey: (row) => row.id }).element)
    : emptyState("No overrides in force.", context.admin
      ? "Add one below to pin a user, team or feature to a tier; it expires by itself."
      : el("span", {}, "Admins set them here or with ", code("PUT /v1/overrides/{id}"), "."));
  replace(container, el("p", { class: "hint" }, "Times in UTC. ", `${overrides.length} in force; expired overrides drop out by themselves.`),
    list, editor ? panel(null, editor.node) : null);
}
