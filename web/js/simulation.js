// The policy simulation in the Policies view: a stored or uploaded policy replayed over a range
// beside the active one, and beside what those requests were really charged, with the
// difference between a replay and actual spend explained in figures.

import { api, query } from "./api.js";
import { el, errorBox, replace } from "./dom.js";
import { decimal, exactCount, money, nanos, percent, revision, time } from "./format.js";
import { resolveRange } from "./range.js";

function tierNames(result) {
  return [...new Set(["recorded", "active", "candidate"].flatMap((name) => Object.keys(result[name].requests_by_tier)))].sort();
}

function share(figures, tier) {
  const served = Object.values(figures.requests_by_tier).reduce((sum, count) => sum + count, 0) + figures.blocked;
  return served ? (figures.requests_by_tier[tier] ?? 0) / served : 0;
}

/** Active, candidate and recorded figures side by side. */
function comparison(result) {
  const columns = [["recorded", "What happened"], ["active", "Active policy (replay)"], ["candidate", "Candidate (replay)"]];
  const row = (label, value, key) => el("tr", { dataset: { row: key } }, el("th", { scope: "row" }, label),
    columns.map(([name]) => el("td", { class: "num", dataset: { column: name } }, value(result[name]))));
  return el("table", { class: "plain", id: "simulation-table" },
    el("thead", {}, el("tr", {}, el("th", {}, ""), columns.map(([, label]) => el("th", { scope: "col", class: "num" }, label)))),
    el("tbody", {},
      row("Cost", (figures) => money(figures.cost_usd), "cost"),
      row("Baseline", (figures) => money(figures.baseline_cost_usd), "baseline"),
      row("Savings", (figures) => money(figures.savings_usd), "savings"),
      tierNames(result).map((tier) => row(`${tier} share`, (figures) => percent(share(figures, tier)), `tier-${tier}`)),
      row("Blocked", (figures) => exactCount(figures.blocked), "blocked"),
      row("Unpriced", (figures) => exactCount(figures.unpriced), "unpriced")));
}

function movesTable(moves) {
  if (!moves.length) return el("p", { class: "hint", id: "simulation-moves" }, "The candidate routes every replayed request to the same tier as the active policy.");
  return el("table", { class: "plain", id: "simulation-moves" },
    el("thead", {}, el("tr", {}, ["Rule", "From", "To", "Requests"].map((label, index) => el("th", { scope: "col", class: index === 3 ? "num" : null }, label)))),
    el("tbody", {}, moves.map((move) => el("tr", {}, el("td", {}, move.rule), el("td", {}, move.from_tier), el("td", {}, move.to_tier),
      el("td", { class: "num" }, exactCount(move.requests))))));
}

/** The tiers whose shares differ most between the recorded routing and the active replay. */
function shifts(result) {
  return tierNames(result).map((tier) => ({ tier, recorded: share(result.recorded, tier), replay: share(result.active, tier) }))
    .filter((shift) => Math.abs(shift.replay - shift.recorded) >= 0.005)
    .sort((a, b) => Math.abs(b.replay - b.recorded) - Math.abs(a.replay - a.recorded)).slice(0, 3);
}

/**
 * Why the active policy's replay differs from actual spend, in figures that add up: actual
 * spend = later attempts and shadows + first attempts not replayed + the replayed requests as
 * charged; then the replayed requests as charged against their replay.
 */
export function explanation(result, actualCostUSD) {
  const actual = nanos(actualCostUSD);
  const replayedCharged = nanos(result.recorded.cost_usd);
  const notReplayed = nanos(result.not_simulated_cost_usd);
  const later = actual - replayedCharged - notReplayed;
  const replayed = result.requests - result.not_simulated;
  const lines = [
    `Actual spend in this range: ${money(actualCostUSD)}. A replay covers only first attempts with routing inputs:`,
    `${money(decimal(later))} went to later attempts (retries, escalations, fallbacks) and shadow requests, which a replay does not make;`,
    `${money(result.not_simulated_cost_usd)} went to ${exactCount(result.not_simulated)} first attempts without routing inputs (intent, complexity, …), which cannot be replayed;`,
    `${money(result.recorded.cost_usd)} went to the ${exactCount(replayed)} replayed requests, at the tiers the routers chose then and the prices then.`,
  ];
  const moved = shifts(result);
  const difference = nanos(result.active.cost_usd) - replayedCharged;
  let why = `The active policy's replay of those ${exactCount(replayed)} requests costs ${money(result.active.cost_usd)} `
    + `(${difference >= 0n ? "+" : "−"}${money(decimal(difference < 0n ? -difference : difference))}): it routes them by the active policy with today's overrides and budgets, `
    + "at each tier's first model, priced by the current catalog as of each request's time.";
  if (moved.length) {
    why += ` Where routing differs most (routers then → replay): ${moved.map((shift) => `${shift.tier} ${percent(shift.recorded)} → ${percent(shift.replay)}`).join(", ")}.`;
  }
  return el("div", { id: "simulation-explained", class: "explanation" }, el("p", {}, lines[0]),
    el("ul", {}, lines.slice(1).map((line) => el("li", {}, line))), el("p", {}, why));
}

/** The simulation panel: choose a candidate and run it over the view's time range. */
export function simulationPanel(policies, active, context) {
  const range = resolveRange(context.parameters);
  const candidates = [...policies.filter((policy) => !policy.active), ...policies.filter((policy) => policy.active)];
  const choice = el("select", { id: "simulate-candidate", "aria-label": "Candidate policy" },
    candidates.map((policy) => el("option", { value: policy.revision },
      `${policy.name} ${revision(policy.revision)}${policy.active ? " (active)" : ""}`)),
    el("option", { value: "upload" }, "The policy in the upload box below"));
  const result = el("div", { id: "simulation-result", role: "status" });
  const run = el("button", { type: "submit", id: "simulate-run" }, "Run simulation");
  const form = el("form", { class: "toolbar", id: "simulate-form", onsubmit: async (event) => {
    event.preventDefault();
    run.disabled = true;
    replace(result, el("p", { class: "loading" }, "Replaying…"));
    try {
      const span = { from: range.from, to: range.to };
      const uploaded = choice.value === "upload";
      const source = document.getElementById("policy-source")?.value ?? "";
      const path = `/v1/policies/simulate${query({ ...span, revision: uploaded ? undefined : choice.value })}`;
      const simulation = await (uploaded ? api.post(path, source, "application/yaml") : api.post(path));
      // The replay may start later than asked (older raw events are no longer kept): actual
      // spend is read over the span the replay really covered.
      const summary = await api.get(`/v1/spend/summary${query({ from: simulation.from, to: simulation.to })}`);
      const clamped = simulation.raw_events_kept_from && Date.parse(simulation.from) > Date.parse(range.from);
      replace(result,
        el("p", { class: "hint", id: "simulation-span" }, `${exactCount(simulation.requests)} first attempts from ${time(simulation.from)} to ${time(simulation.to)}, `
          + `${exactCount(simulation.requests - simulation.not_simulated)} replayed.`
          + (clamped ? ` Raw events before ${time(simulation.raw_events_kept_from)} are no longer kept (the server's --retain-raw-days), so the replay and the actual spend beside it start there.` : "")),
        comparison(simulation), el("h3", {}, "Moves by rule"), movesTable(simulation.moves),
        el("h3", {}, "Replay against actual spend"), explanation(simulation, summary.cost_usd));
    } catch (error) {
      replace(result, errorBox(error));
    } finally {
      run.disabled = false;
    }
  } }, el("label", { for: "simulate-candidate" }, "Candidate"), choice, run);
  return el("section", { class: "panel", id: "simulation" }, el("h2", {}, "Simulate before activating"),
    el("p", { class: "hint" }, `Replays the first attempts stored in the range above through the active policy${active ? ` (${active.name})` : ""} and the candidate. Nothing changes for routers.`),
    form, result);
}
