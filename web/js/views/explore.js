// Requests: the raw events behind any figure (while they are retained), newest first, each
// with the price and cost basis it was costed at, so "why did this cost $4?" has an answer.

import { api, query } from "../api.js";
import { code, el, emptyState, panel, replace } from "../dom.js";
import { cost, exactCount, millis, money, timeSeconds } from "../format.js";
import { filterChips, filtersOf } from "../filters.js";
import { resolveRange } from "../range.js";

const PAGE = 100;

/** `$2.50/M`: a catalog price per million tokens. */
function perMillion(text) {
  return `${money(text)}/M`;
}

/** How the cost of one event was made, term by term, in the words of its cost basis. */
export function costExplanation(event) {
  if (event.cost_basis === "unpriced") {
    return "No price for this model when the event happened and no cost_usd reported: left out of every cost sum (counted as unpriced).";
  }
  if (event.cost_basis === "reported") {
    return `No catalog price for ${event.provider}/${event.model}: the router's reported cost_usd ${money(event.reported_cost_usd)} counts.`;
  }
  const price = event.price;
  const terms = [
    [event.input_tokens - event.cached_input_tokens, "input", price.input],
    [event.cached_input_tokens, "cached input", price.cached_input],
    [event.output_tokens - event.reasoning_tokens, "output", price.output],
    [event.reasoning_tokens, "reasoning", price.reasoning],
  ].filter(([tokens]) => tokens > 0).map(([tokens, kind, rate]) => `${exactCount(tokens)} ${kind} × ${perMillion(rate)}`);
  return `${terms.join(" + ") || "0 tokens"} = ${money(event.cost_usd)} (rounded half to even to the nano-dollar), `
    + `at catalog version ${price.catalog_version} (${price.provider}/${price.model}, in force from ${timeSeconds(price.effective_from)}).`;
}

/** What the baseline of one event is, or why it has none: savings compare each request once,
 *  at its first attempt, and only when it has a cost (`Costing`). */
export function baselineExplanation(event) {
  if (event.cost_basis === "unpriced") {
    return "left out: this request has no price, so savings leave it out on both sides "
      + "(at the baseline model's price its tokens would not cost $0).";
  }
  if (event.attempt !== 1 || event.reason === "shadow") {
    return `none for this ${event.reason === "shadow" ? "shadow call" : `attempt (${event.attempt})`}: `
      + "a request is compared with the baseline once, at its first attempt, as an all-baseline router would call once.";
  }
  if (Number(event.baseline_cost_usd) === 0 && event.input_tokens + event.output_tokens > 0) {
    return "$0: the baseline model had no price when this event happened, so savings count nothing for it.";
  }
  return `${money(event.baseline_cost_usd)}: the same tokens at the baseline model's price then in force.`;
}

function term(label, ...value) {
  return [el("dt", {}, label), el("dd", {}, ...value)];
}

/** The row under an event that says how it was costed and routed (hidden until asked for). */
function detailRow(event, columns) {
  const routing = ["intent", "complexity", "confidence", "pii", "context_tokens"].filter((name) => event[name] !== null && event[name] !== undefined)
    .map((name) => `${name} ${event[name]}`).join(" · ");
  const row = el("tr", { class: "event-detail", dataset: { detailFor: event.id }, hidden: true },
    el("td", { colspan: columns }, el("dl", {},
      term("Cost", el("span", { class: "cost-explanation" }, costExplanation(event))),
      term("Baseline", el("span", { class: "baseline-explanation" }, baselineExplanation(event))),
      term("Event", code(event.id), " from ", code(event.source), `, attempt ${event.attempt}, received ${timeSeconds(event.received_at)}`),
      term("Policy", event.rule ? `rule ${event.rule}` : "no rule named", event.policy_revision ? [" · revision ", code(event.policy_revision.slice(0, 12))] : ""),
      routing ? term("Routing inputs", routing) : null,
      term("Latency", `${millis(event.latency_ms)}${event.ttft_ms !== null ? ` (first token ${millis(event.ttft_ms)})` : ""}`))));
  return row;
}

const COLUMNS = ["Time", "Request", "Attempt", "Reason", "Status", "Tier", "Model", "User", "Feature", "Tokens", "Cost", "Latency"];

/** An event's row and, under it, its details (opened by the button before its time). */
function eventRows(event, context) {
  const tokens = event.input_tokens + event.output_tokens;
  const details = detailRow(event, COLUMNS.length);
  const toggle = el("button", { type: "button", class: "link why", "aria-expanded": "false", title: "Why this cost what it did",
    "aria-label": `Details of event ${event.id}` }, "▸");
  toggle.addEventListener("click", () => {
    details.hidden = !details.hidden;
    toggle.setAttribute("aria-expanded", String(!details.hidden));
    toggle.textContent = details.hidden ? "▸" : "▾";
  });
  const row = el("tr", { dataset: { id: event.id, seq: String(event.seq) } },
    el("td", {}, toggle, " ", timeSeconds(event.time)),
    el("td", {}, event.request_id
      ? el("button", { type: "button", class: "link request-link", title: "Show every attempt of this request",
        onclick: () => context.navigate({ ...withoutFilters(context.parameters), request: event.request_id, before: undefined }) }, event.request_id)
      : "—"),
    el("td", { class: "num" }, String(event.attempt)),
    el("td", {}, event.reason),
    el("td", {}, el("span", { class: `badge status-${event.status}` }, event.status)),
    el("td", {}, event.tier),
    el("td", { title: `${event.provider}/${event.model}` }, `${event.provider}/${event.model}`),
    el("td", {}, event.user || "—"),
    el("td", {}, event.feature || "—"),
    el("td", { class: "num", title: `${exactCount(event.input_tokens)} in (${exactCount(event.cached_input_tokens)} cached) · ${exactCount(event.output_tokens)} out (${exactCount(event.reasoning_tokens)} reasoning)` }, exactCount(tokens)),
    el("td", { class: "num", dataset: { column: "cost", value: event.cost_usd, basis: event.cost_basis } },
      event.cost_basis === "unpriced" ? el("span", { class: "unpriced", title: costExplanation(event) }, cost(event.cost_usd, 1, 1)) : money(event.cost_usd),
      event.cost_basis === "reported" ? el("span", { class: "hint", title: costExplanation(event) }, " reported") : null),
    el("td", { class: "num" }, millis(event.latency_ms)));
  return [row, details];
}

/** Every f_* filter cleared: a request's other attempts need not match the filters that found one. */
function withoutFilters(parameters) {
  return Object.fromEntries(Object.keys(parameters).filter((name) => name.startsWith("f_")).map((name) => [name, undefined]));
}

export async function render(container, context) {
  const parameters = context.parameters;
  const range = resolveRange(parameters);
  const filters = filtersOf(parameters);
  const request = parameters.request || undefined;
  const ask = (before) => api.get(`/v1/events${query({ from: range.from, to: range.to, request_id: request, ...filters, limit: PAGE, before })}`);
  const first = await ask(undefined);
  if (!context.current()) return;

  const body = el("tbody");
  const status = el("p", { class: "hint", id: "explore-status", role: "status" });
  const more = el("button", { type: "button", id: "explore-more" }, "Look further back");
  let shown = 0;
  let examined = 0;
  let next = null;
  const add = (page) => {
    body.append(...page.events.flatMap((event) => eventRows(event, context)));
    shown += page.events.length;
    examined += page.examined;
    next = page.next;
    more.hidden = next === null;
    status.textContent = next === null
      ? `${exactCount(shown)} ${shown === 1 ? "event" : "events"}; every retained event was looked at.`
      : `${exactCount(shown)} ${shown === 1 ? "event" : "events"} so far, most recently received first (${exactCount(examined)} stored events looked at); older ones not yet searched.`;
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      add(await ask(next));
      // Older pages were asked for: an automatic refresh must not take them away.
      body.dataset.keep = "older-pages";
    } catch (error) {
      status.textContent = error.message;
    } finally {
      more.disabled = false;
    }
  });
  add(first);

  const requestInput = el("input", { type: "search", id: "explore-request", value: request ?? "", placeholder: "request id", "aria-label": "Request id" });
  const searchForm = el("form", { class: "toolbar", onsubmit: (event) => {
    event.preventDefault();
    context.navigate({ request: requestInput.value.trim() || undefined });
  } }, el("label", { for: "explore-request" }, "Request"), requestInput, el("button", { type: "submit" }, "Find"),
  filterChips("explore-filters", filters, (name) => context.navigate({ [`f_${name}`]: undefined })));

  const table = el("div", { class: "table-scroll" }, el("table", { id: "explore-table" },
    el("thead", {}, el("tr", {}, COLUMNS.map((label, position) => el("th", { scope: "col", class: [2, 9, 10, 11].includes(position) ? "num" : null }, label)))), body));
  replace(container, searchForm,
    shown || next !== null ? panel(null, status, table, more)
      : emptyState("No retained event matches.",
        "Raw events are kept for serve's --retain-raw-days (their spend stays in the rollups after). Widen the time range or remove a filter."));
}
