// The time range every spend view shares: presets and custom dates, in UTC, kept in the URL.

import { el } from "./dom.js";

const DAY = 86_400_000;

export const presets = [
  ["today", "Today"],
  ["24h", "Last 24 hours"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["mtd", "This month"],
  ["last-month", "Last month"],
  ["90d", "Last 90 days"],
  ["custom", "Custom…"],
];

function date(millis) {
  return new Date(millis).toISOString().slice(0, 10);
}

function startOfDay(millis) {
  return Math.floor(millis / DAY) * DAY;
}

/** `{from, to, interval, label}` for the API (`to` exclusive) from the URL's range parameters. */
export function resolveRange(parameters, now = Date.now()) {
  const today = startOfDay(now);
  const tomorrow = today + DAY;
  const month = new Date(today);
  const monthStart = Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1);
  const previousMonthStart = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 1, 1);
  const name = parameters.range || "30d";
  let from;
  let to = tomorrow;
  switch (name) {
    case "today": from = today; break;
    case "24h": {
      const hour = Math.floor(now / 3_600_000) * 3_600_000;
      from = hour - 23 * 3_600_000;
      to = hour + 3_600_000;
      break;
    }
    case "7d": from = today - 6 * DAY; break;
    case "mtd": from = monthStart; break;
    case "last-month": from = previousMonthStart; to = monthStart; break;
    case "90d": from = today - 89 * DAY; break;
    case "custom": {
      const start = Date.parse(parameters.from ?? "");
      const end = Date.parse(parameters.to ?? "");
      from = Number.isFinite(start) ? start : today - 29 * DAY;
      to = Number.isFinite(end) ? end + DAY : tomorrow;
      if (to <= from) to = from + DAY;
      break;
    }
    default: from = today - 29 * DAY;
  }
  const span = to - from;
  const interval = span <= 2 * DAY ? "hour" : span <= 92 * DAY ? "day" : "month";
  const iso = (millis) => new Date(millis).toISOString().replace(".000", "");
  return { name, from: iso(from), to: iso(to), interval, fromDate: date(from), lastDate: date(to - 1) };
}

/** The preset picker with custom dates; calls `change(parameters)` with the new URL parameters. */
export function rangePicker(parameters, change) {
  const current = resolveRange(parameters);
  const select = el("select", { id: "range", "aria-label": "Time range" },
    presets.map(([value, label]) => el("option", { value, selected: value === current.name }, label)));
  const from = el("input", { type: "date", id: "range-from", "aria-label": "From (UTC)", value: current.fromDate });
  const to = el("input", { type: "date", id: "range-to", "aria-label": "To (UTC, inclusive)", value: current.lastDate });
  const apply = el("button", { type: "submit", id: "range-apply" }, "Apply");
  const custom = el("span", { class: "custom-range" }, from, "–", to, apply);
  custom.hidden = current.name !== "custom";
  select.addEventListener("change", () => {
    if (select.value === "custom") {
      custom.hidden = false;
      from.focus();
    } else {
      change({ range: select.value, from: undefined, to: undefined });
    }
  });
  const form = el("form", { class: "range", onsubmit: (event) => {
    event.preventDefault();
    change({ range: "custom", from: from.value, to: to.value });
  } }, select, custom, el("span", { class: "hint" }, "UTC"));
  return form;
}
