// The spend dimensions views group and filter by, and filters as URL parameters (`f_user=…`),
// shared by the Breakdown and the request explorer so that a link carries its filters across.

import { el } from "./dom.js";
import { rangeParameters } from "./range.js";

export const dimensions = ["feature", "user", "team", "tier", "model", "provider", "source", "reason", "status"];

/** The filters in a view's URL parameters. */
export function filtersOf(parameters) {
  return Object.fromEntries(dimensions.filter((name) => parameters[`f_${name}`] !== undefined).map((name) => [name, parameters[`f_${name}`]]));
}

/** URL parameters for `filters` in the time range of `parameters`. */
export function filterParameters(parameters, filters) {
  return { ...rangeParameters(parameters), ...Object.fromEntries(Object.entries(filters).map(([name, value]) => [`f_${name}`, value])) };
}

/** A removable chip per filter; `remove(name)` drops one. */
export function filterChips(id, filters, remove) {
  return el("div", { class: "crumbs", id }, Object.entries(filters).map(([name, value]) =>
    el("span", { class: "chip" }, `${name} = `, el("strong", {}, value || "(none)"),
      el("button", { type: "button", class: "chip-remove", "aria-label": `Remove the ${name} filter`, onclick: () => remove(name) }, "×"))));
}
