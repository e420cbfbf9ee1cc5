// What happened on a time chart's buckets: policy activations (from the audit log) and budget
// state changes (alerts), as lines on the chart and a list under it.

import { api, query } from "./api.js";
import { el } from "./dom.js";
import { revision, time } from "./format.js";

const colors = { policy: "#5f3dc4", exceeded: "#c92a2a", warning: "#e67700", ok: "#2b8a3e" };

/** The bucket index of `moment` among bucket `starts` (ISO times, ascending), or -1. */
export function bucketIndex(starts, moment) {
  const millis = Date.parse(moment);
  let found = -1;
  starts.forEach((start, index) => {
    if (Date.parse(start) <= millis) found = index;
  });
  return found;
}

/** Markers for `starts` in [from, to): [{index, symbol, color, text, time}], oldest first. */
export async function chartMarkers(from, to, starts) {
  const [{ entries }, { alerts }] = await Promise.all([
    api.get(`/v1/audit${query({ from, to, target: "policies", limit: 1000 })}`),
    api.get(`/v1/alerts${query({ from, to })}`),
  ]);
  const markers = [];
  for (const entry of entries) {
    if (entry.action !== "policy.activate") continue;
    const name = entry.after?.name ?? "";
    const rev = entry.target.split("/")[1] ?? "";
    markers.push({ time: entry.time, symbol: "P", color: colors.policy,
      text: `policy ${name} ${revision(rev)} activated by ${entry.actor}${entry.after?.reason ? `: ${entry.after.reason}` : ""}` });
  }
  for (const alert of alerts) {
    markers.push({ time: alert.time, symbol: "B", color: colors[alert.to] ?? colors.warning, text: `budget ${alert.budget} ${alert.from} → ${alert.to}` });
  }
  return markers.map((marker) => ({ ...marker, index: bucketIndex(starts, marker.time) }))
    .filter((marker) => marker.index >= 0).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

export function markerList(markers) {
  if (!markers.length) return null;
  return el("ul", { class: "markers", id: "chart-markers", "aria-label": "Marked on the chart" }, markers.map((marker) =>
    el("li", {}, el("span", { class: "marker-symbol" }, marker.symbol), ` ${time(marker.time)} · ${marker.text}`)));
}
