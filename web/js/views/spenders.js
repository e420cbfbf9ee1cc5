// Top spenders: who and what makes the most spend on the most expensive tier.

import { api, query } from "../api.js";
import { el, emptyState, panel, replace } from "../dom.js";
import { count, money, percent, share } from "../format.js";
import { rangeParameters, resolveRange } from "../range.js";
import { costContent } from "../table.js";

const TOP = 15;

/** The tier to look at: the URL's, else the top of the active policy's ladder. */
async function tiers(parameters) {
  const bundle = await api.get("/v1/bundle");
  const names = bundle.policy.tiers.map((tier) => tier.name);
  const ladder = bundle.policy.ladder ?? names;
  const chosen = names.includes(parameters.tier) ? parameters.tier : ladder[ladder.length - 1] ?? names[0];
  return { names, chosen };
}

function ranking(id, dimension, report, tier, context) {
  const total = report.total.cost_usd;
  const rows = report.rows.slice(0, TOP);
  if (rows.length === 0) return emptyState(`No ${tier}-tier spend in this range.`, "Pick a wider range or another tier.");
  return el("ol", { class: "ranking", id }, rows.map((row) => {
    const fraction = share(row.cost_usd, total);
    const bar = el("span", { class: "bar-fill" });
    bar.style.width = `${Math.max(0.5, fraction * 100)}%`;
    const name = row[dimension] ?? "(none)";
    return el("li", { dataset: { name, value: row.cost_usd } },
      el("button", { type: "button", class: "link", title: `Open ${name} in the breakdown`,
        onclick: () => context.go("breakdown", { ...rangeParameters(context.parameters), group: dimension === "user" ? "model" : "user", [`f_${dimension}`]: row[dimension] ?? "", f_tier: tier }) }, name),
      el("span", { class: "ranking-figures" }, el("strong", {}, costContent(row.cost_usd, row.requests, row.unpriced_requests)),
        ` · ${percent(fraction)} · ${count(row.requests)} requests`),
      el("span", { class: "bar" }, bar));
  }));
}

export async function render(container, context) {
  const range = resolveRange(context.parameters);
  const { names, chosen } = await tiers(context.parameters);
  const request = (dimension) => api.get(`/v1/spend${query({ from: range.from, to: range.to, group_by: dimension, tier: chosen, limit: TOP })}`);
  const [users, features] = await Promise.all([request("user"), request("feature")]);
  if (!context.current()) return;

  const select = el("select", { id: "spenders-tier", "aria-label": "Tier" }, names.map((name) => el("option", { value: name, selected: name === chosen }, name)));
  select.addEventListener("change", () => context.navigate({ tier: select.value }));
  const top = users.rows[0];
  const headline = top && users.total.cost_usd !== "0.000000000"
    ? el("p", { class: "headline", id: "spenders-headline" }, el("strong", {}, top.user ?? "(no user)"),
      ` makes ${percent(share(top.cost_usd, users.total.cost_usd))} of ${chosen}-tier spend (${money(top.cost_usd)} of ${money(users.total.cost_usd)}).`)
    : null;
  replace(container,
    el("div", { class: "toolbar" }, el("label", { for: "spenders-tier" }, "Tier"), select),
    headline,
    el("div", { class: "two" },
      panel(`Users by ${chosen} spend`, ranking("top-users", "user", users, chosen, context)),
      panel(`Features by ${chosen} spend`, ranking("top-features", "feature", features, chosen, context))));
}
