// The time range every spend view shares: presets and custom dates, in UTC, kept in the URL
// and carried from view to view (the last one chosen is remembered for this browser tab).

import { el } from "./dom.js";

const DAY = 86_400_000;

export const presets = [
  ["today", "Today"],
  ["yesterday", "Yesterday"],
  ["24h", "Last 24 hours"],
  ["week", "This week"],
  ["last-week", "Last week"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["mtd", "This month"],
  ["last-month", "Last month"],
  ["90d", "Last 90 days"],
  ["custom", "Custom…"],
];

const STORAGE_KEY = "bursar.range";
const RANGE_KEYS = ["range", "from", "to"];

/** The range's own parameters out of a view's URL parameters. */
export function rangeParameters(parameters) {
  return Object.fromEntries(RANGE_KEYS.filter((key) => parameters[key] !== undefined).map((key) => [key, parameters[key]]));
}

/** Remembers the range last chosen, so that the next view opens on it. */
export function rememberRange(parameters) {
  const range = rangeParameters(parameters);
  if (range.range) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(range));
}

/** The range last chosen in this tab, or none. */
export function rememberedRange() {
  try {
    const range = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
    return range && typeof range.range === "string" ? rangeParameters(range) : {};
  } catch {
    return {};
  }
}

/** A date typed as YYYY-MM-DD (UTC midnight), or NaN: also for days no month has (2026-02-30). */
function isoDate(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text ?? "")) return NaN;
  const millis = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(millis) && date(millis) === text ? millis : NaN;
}

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
  // Weeks start on Monday (ISO 8601).
  const weekStart = today - ((month.getUTCDay() + 6) % 7) * DAY;
  const name = parameters.range || "30d";
  let from;
  let to = tomorrow;
  switch (name) {
    case "today": from = today; break;
    case "yesterday": from = today - DAY; to = today; break;
    case "week": from = weekStart; break;
    case "last-week": from = weekStart - 7 * DAY; to = weekStart; break;
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
      const start = isoDate(parameters.from);
      const end = isoDate(parameters.to);
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
  const dateInput = (id, label, value) => el("input", { type: "text", id, "aria-label": label, value, inputmode: "numeric",
    placeholder: "YYYY-MM-DD", pattern: "\\d{4}-\\d{2}-\\d{2}", size: "10", autocomplete: "off" });
  const from = dateInput("range-from", "From (UTC, YYYY-MM-DD)", current.fromDate);
  const to = dateInput("range-to", "To (UTC, inclusive, YYYY-MM-DD)", current.lastDate);
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
  const problem = el("span", { class: "field-error", id: "range-error", role: "alert" });
  const form = el("form", { class: "range", novalidate: true, onsubmit: (event) => {
    event.preventDefault();
    problem.textContent = "";
    for (const input of [from, to]) input.removeAttribute("aria-invalid");
    const refuse = (input, message) => {
      problem.textContent = message;
      input.setAttribute("aria-invalid", "true");
      input.focus();
    };
    const wrong = [from, to].find((input) => !Number.isFinite(isoDate(input.value.trim())));
    if (wrong) {
      refuse(wrong, `${wrong === from ? "From" : "To"} must be a date as YYYY-MM-DD, such as ${current.fromDate}.`);
      return;
    }
    if (isoDate(from.value.trim()) > isoDate(to.value.trim())) {
      refuse(to, "To must be on or after From.");
      return;
    }
    change({ range: "custom", from: from.value.trim(), to: to.value.trim() });
  } }, select, custom, el("span", { class: "hint", title: "Ranges and chart buckets are whole UTC days (as the rollups keep them); times can be shown in another zone at the top" }, "UTC days"), problem);
  return form;
}
