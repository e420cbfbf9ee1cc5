// Overview: what the routing costs, what it saves against the baseline, and how traffic splits.

import { api, query } from "../api.js";
import { code, el, emptyState, panel, replace } from "../dom.js";
import { count, exactCount, millis, money, nanos, percent } from "../format.js";
import { rangeParameters, resolveRange } from "../range.js";
import { latencyBars, rateLine, stackedSpend, tierMix } from "../charts.js";
import { costContent } from "../table.js";
import { changeLine, lastMonthSoFar, previousRange, yesterdaySoFar } from "../comparison.js";
import { chartMarkers, markerList } from "../markers.js";

/** Every bucket start between `from` and `to`, so that quiet hours show as zero. */
export function buckets(from, to, interval) {
  const starts = [];
  const cursor = new Date(from);
  const end = Date.parse(to);
  while (cursor.getTime() < end && starts.length < 5000) {
    starts.push(cursor.toISOString().replace(".000", ""));
    if (interval === "hour") cursor.setUTCHours(cursor.getUTCHours() + 1);
    else if (interval === "day") cursor.setUTCDate(cursor.getUTCDate() + 1);
    else cursor.setUTCMonth(cursor.getUTCMonth() + 1, 1);
  }
  return starts;
}

/** Tiers in the active policy's order, then any others (from older policies) by name. */
function tierOrder(tiers, known) {
  const rank = (name) => (known.includes(name) ? known.indexOf(name) : known.length);
  return tiers.map((tier) => tier.tier).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export function bucketLabel(start, interval) {
  if (interval === "hour") return `${start.slice(5, 10)} ${start.slice(11, 16)}`;
  if (interval === "day") return start.slice(5, 10);
  return start.slice(0, 7);
}

/** How each rate is computed, shown when it is hovered (and read with it by screen readers). */
export const rateDefinitions = {
  escalation: "Escalations (attempts whose reason is escalation: a cheaper tier's answer was not good enough) divided by first attempts (reason primary) in the range.",
  fallback: "Fallbacks (attempts whose reason is fallback: the tier's provider failed, timed out or had its breaker open) divided by first attempts (reason primary) in the range.",
  error: "Events whose status is error divided by all events (every attempt) in the range.",
  shadow: "Shadow requests (reason shadow: copies sent to try another model, never answered to users) divided by first attempts (reason primary) in the range.",
};

/** Where each rate leads in the Breakdown: the events it counts, grouped to find the cause. */
export const rateBreakdowns = {
  escalation: [["Escalations by the tier they went to", { group: "tier", f_reason: "escalation" }]],
  fallback: [["Fallbacks by the provider they went to", { group: "provider", f_reason: "fallback" }],
    ["Failed attempts by provider (what sets fallbacks off)", { group: "provider", f_status: "error" }]],
  error: [["Error rate by provider", { group: "provider", sort: "error_rate" }], ["Errors by model", { group: "model", f_status: "error" }]],
  shadow: [["Shadow requests by model", { group: "model", f_reason: "shadow" }]],
};

const rateLabels = { escalation: "Escalation rate", fallback: "Fallback rate", error: "Error rate", shadow: "Shadow rate" };

/** The rate per bucket: reasons over first attempts, or errors over every event. */
export function rateSeries(name, starts, rows) {
  const index = new Map(starts.map((start, position) => [start, position]));
  const numerator = new Array(starts.length).fill(0);
  const denominator = new Array(starts.length).fill(0);
  for (const row of rows) {
    const position = index.get(row.bucket);
    if (position === undefined) continue;
    if (name === "error") {
      numerator[position] += row.errors;
      denominator[position] += row.requests;
    } else {
      if (row.reason === name) numerator[position] += row.requests;
      if (row.reason === "primary") denominator[position] += row.requests;
    }
  }
  return numerator.map((value, position) => (denominator[position] ? value / denominator[position] : null));
}

async function ratePanel(name, range, context) {
  const span = { from: range.from, to: range.to, interval: range.interval, limit: 100000 };
  const report = await api.get(`/v1/spend${query(name === "error" ? span : { ...span, group_by: "reason" })}`);
  const starts = buckets(range.from, range.to, range.interval);
  const values = rateSeries(name, starts, report.rows);
  const links = rateBreakdowns[name].map(([label, parameters]) => el("a", { class: "rate-breakdown",
    href: `#/breakdown?${new URLSearchParams({ ...rangeParameters(context.parameters), ...parameters })}` }, label));
  return el("section", { class: "panel", id: "rate-panel", dataset: { rate: name } },
    el("div", { class: "toolbar" }, el("h2", {}, `${rateLabels[name]} per ${range.interval}`), el("span", { class: "spacer" }),
      el("button", { type: "button", class: "link", id: "rate-close", onclick: () => context.navigate({ rate: undefined }) }, "Close")),
    el("p", { class: "hint" }, rateDefinitions[name]),
    rateLine("rate-chart", `${rateLabels[name]} per ${range.interval}`, starts.map((start) => bucketLabel(start, range.interval)), values),
    el("p", { class: "actions" }, "Find the cause: ", links));
}

function card(id, label, value, detail, exact, definition, change) {
  return el("div", { class: "card", id, title: definition ?? null }, el("span", { class: "card-label" }, label),
    el("strong", { class: "card-value", dataset: exact === undefined ? {} : { value: exact }, title: exact === undefined ? null : `$${exact}` }, value),
    detail ? el("span", { class: "card-detail" }, detail) : null, change ?? null);
}

/** What the savings figure says, also when routing cost more than the baseline would have. */
export function savingsDetail(summary) {
  if (summary.savings_usd.startsWith("-")) {
    return `Routing cost ${money(summary.savings_usd.slice(1))} more than sending every request to the baseline tier would have `
      + `(${money(summary.baseline_cost_usd)}): escalations, fallbacks, shadow requests and rules that pick dearer tiers add cost the baseline does not have.`;
  }
  return `${percent(summary.savings_ratio)} of ${money(summary.baseline_cost_usd)} if every request went to the baseline tier`;
}

/** A day, as the range picker's custom dates take it, for the bucket starting at `start`. */
function bucketRange(start, interval) {
  const first = start.slice(0, 10);
  if (interval !== "month") return { range: "custom", from: first, to: first };
  const date = new Date(start);
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
  return { range: "custom", from: first, to: last };
}

/** What "baseline" means for the active policy. */
function baselineDefinition(policy) {
  const tier = policy?.tiers.find((candidate) => candidate.name === policy.baseline_tier);
  const model = tier?.models?.[0];
  const name = model ? `${model.provider}/${model.model}` : "the baseline model";
  return `Baseline: each request priced, when it arrived, as if it had gone to the baseline model then in force; now ${name} `
    + `(the first model of the active policy's baseline tier, ${policy?.baseline_tier ?? "none: serve's --baseline-model"}). `
    + "Savings = baseline − actual spend; negative when routing cost more.";
}

function routerHowTo() {
  const origin = window.location.origin;
  return emptyState("No usage events in this range yet.",
    el("span", {}, "Make a router key: ", code("bursar keys create --role router --name edge-1")),
    el("span", {}, "Point the router's event shipper at ", code(`${origin}/v1/events`), " (JSON, NDJSON or CloudEvents; see the README)."),
    el("span", {}, "Or try it with synthetic traffic: ", code(`bursar demo --url ${origin} --key <router key>`)),
    "Then pick a wider time range above if the events are older.");
}

export async function render(container, context) {
  const range = resolveRange(context.parameters);
  const today = resolveRange({ range: "today" });
  const span = { from: range.from, to: range.to };
  const previous = previousRange(range);
  const yesterday = yesterdaySoFar();
  const lastMonth = lastMonthSoFar();
  const starts = buckets(range.from, range.to, range.interval);
  const summaryOf = (window) => api.get(`/v1/spend/summary${query({ from: window.from, to: window.to })}`);
  const [summary, todaySummary, overTime, reasons, bundle, before, yesterdaySummary, lastMonthSummary, markers] = await Promise.all([
    summaryOf(span),
    summaryOf(today),
    api.get(`/v1/spend${query({ ...span, group_by: "tier", interval: range.interval, limit: 100000 })}`),
    api.get(`/v1/spend${query({ ...span, group_by: "reason" })}`),
    api.get("/v1/bundle"),
    summaryOf(previous),
    summaryOf(yesterday),
    summaryOf(lastMonth),
    chartMarkers(range.from, range.to, starts),
  ]);
  const policyTiers = bundle.policy?.tiers.map((tier) => tier.name) ?? [];
  if (!context.current()) return;

  const requestsByReason = Object.fromEntries(reasons.rows.map((row) => [row.reason, row.requests]));
  const primary = (requestsByReason.primary ?? 0) || summary.requests;
  const rate = (reason) => (primary ? (requestsByReason[reason] ?? 0) / primary : null);

  const cards = el("div", { class: "cards" },
    card("card-cost", "Spend in range", money(summary.cost_usd), `${exactCount(summary.requests)} requests`, summary.cost_usd, null,
      changeLine("change-cost", summary.cost_usd, before.cost_usd, previous.label)),
    card("card-today", "Spend today (UTC)", money(todaySummary.cost_usd), `${exactCount(todaySummary.requests)} requests`, todaySummary.cost_usd, null,
      changeLine("change-today", todaySummary.cost_usd, yesterdaySummary.cost_usd, yesterday.label)),
    card("card-month", "Month to date", money(summary.month_to_date_usd),
      summary.forecast_month_usd === null ? "too large to forecast" : `forecast to month end ${money(summary.forecast_month_usd)}`, summary.month_to_date_usd,
      "Forecast: month to date plus the spend rate of the last 7 days (UTC; since the first event when there are fewer) carried over the time left in the month.",
      changeLine("change-month", summary.month_to_date_usd, lastMonthSummary.cost_usd, lastMonth.label)),
    card("card-savings", "Savings against the baseline", money(summary.savings_usd), savingsDetail(summary), summary.savings_usd,
      baselineDefinition(bundle.policy), changeLine("change-savings", summary.savings_usd, before.savings_usd, previous.label)));

  const chosenRate = rateBreakdowns[context.parameters.rate] ? context.parameters.rate : null;
  const rates = el("div", { class: "rates" },
    [["escalation", rate("escalation")], ["fallback", rate("fallback")],
      ["error", summary.requests ? summary.errors / summary.requests : null], ["shadow", rate("shadow")]]
      .map(([name, value]) => el("button", { type: "button", class: "rate", id: `rate-${name}`, title: rateDefinitions[name],
        "aria-pressed": String(name === chosenRate), "aria-controls": "rate-panel",
        onclick: () => context.navigate({ rate: name === chosenRate ? undefined : name }) },
      el("span", {}, rateLabels[name]), el("strong", { dataset: { value: value ?? "" } }, percent(value)),
      el("span", { class: "visually-hidden" }, rateDefinitions[name]))));
  const followed = chosenRate && summary.requests ? await ratePanel(chosenRate, range, context) : null;
  if (!context.current()) return;

  const warning = summary.unpriced_requests > 0
    ? el("div", { class: "warning", role: "alert", id: "unpriced-warning" },
      `${exactCount(summary.unpriced_requests)} events in this range have no price for their model and are not in the totals. `,
      "Add the models to the price catalog (", code("PUT /v1/prices"), " or ", code("policies/prices.yaml"), ").")
    : null;

  if (summary.requests === 0) {
    replace(container, cards, routerHowTo());
    return;
  }

  const index = new Map(starts.map((start, position) => [start, position]));
  const series = Object.fromEntries(tierOrder(summary.by_tier, policyTiers).map((tier) => [tier, new Array(starts.length).fill(0n)]));
  for (const row of overTime.rows) {
    const position = index.get(row.bucket);
    if (position === undefined) continue;
    series[row.tier] ??= new Array(starts.length).fill(0n);
    series[row.tier][position] += nanos(row.cost_usd);
  }
  const order = tierOrder(summary.by_tier, policyTiers);
  const tiers = [...summary.by_tier].sort((a, b) => order.indexOf(a.tier) - order.indexOf(b.tier));
  const tierTable = el("table", { id: "tier-table", class: "plain" },
    el("thead", {}, el("tr", {}, ["Tier", "Requests", "Share of requests", "Spend", "Share of spend", "p50", "p95"]
      .map((label, position) => el("th", { scope: "col", class: position ? "num" : null }, label)))),
    el("tbody", {}, tiers.map((tier) => el("tr", { dataset: { tier: tier.tier } },
      el("td", {}, tier.tier),
      el("td", { class: "num", title: exactCount(tier.requests) }, count(tier.requests)),
      el("td", { class: "num" }, percent(tier.share_of_requests)),
      el("td", { class: "num", dataset: { value: tier.cost_usd } }, costContent(tier.cost_usd, tier.requests, tier.unpriced_requests)),
      el("td", { class: "num" }, percent(tier.share_of_cost)),
      el("td", { class: "num" }, millis(tier.latency_ms?.p50)),
      el("td", { class: "num" }, millis(tier.latency_ms?.p95))))));

  replace(container, warning, cards, rates, followed,
    panel(`Spend by tier per ${range.interval}`,
      stackedSpend("spend-chart", starts.map((start) => bucketLabel(start, range.interval)), series, {
        markers,
        // A bar opens the Breakdown of its bucket (its tier's, when a tier was clicked).
        open: (position, tier) => context.go("breakdown", { ...bucketRange(starts[position], range.interval), group: "feature", f_tier: tier ?? undefined }),
      }),
      markerList(markers)),
    el("div", { class: "two" },
      panel("Tier mix", tierMix("mix-chart", tiers)),
      panel("Latency per tier", latencyBars("latency-chart", tiers))),
    panel("Tiers", el("div", { class: "table-scroll" }, tierTable)));
}
