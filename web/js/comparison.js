// Each headline figure beside the same figure one period earlier: the previous range of the
// same length, yesterday up to this hour, last month up to this day and hour.

import { el } from "./dom.js";
import { decimal, money, nanos } from "./format.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;

function iso(millis) {
  return new Date(millis).toISOString().replace(".000", "");
}

/** The range of the same length just before `range`, and how to name it. */
export function previousRange(range) {
  const from = Date.parse(range.from);
  const length = Date.parse(range.to) - from;
  const days = Math.round(length / DAY);
  const label = length === DAY ? "the day before" : length % DAY === 0 ? `the previous ${days} days` : `the previous ${Math.round(length / HOUR)} hours`;
  return { from: iso(from - length), to: iso(from), label };
}

/** Yesterday from midnight up to the end of this hour (UTC), as today is counted so far. */
export function yesterdaySoFar(now = Date.now()) {
  const today = Math.floor(now / DAY) * DAY;
  const hourEnd = Math.floor(now / HOUR) * HOUR + HOUR;
  return { from: iso(today - DAY), to: iso(hourEnd - DAY), label: "yesterday by this hour" };
}

/** Last month from its first day up to this day and hour (or its end, when shorter). */
export function lastMonthSoFar(now = Date.now()) {
  const date = new Date(now);
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const previousStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1);
  const hourEnd = Math.floor(now / HOUR) * HOUR + HOUR;
  return { from: iso(previousStart), to: iso(Math.min(monthStart, previousStart + (hourEnd - monthStart))), label: "last month by this day" };
}

/**
 * "▲ 12.3% vs the previous 30 days ($4.55)": the change from `previous` to `current` (exact
 * decimal amounts), compared as nano-dollars.
 */
export function changeText(current, previous, label) {
  const now = nanos(current);
  const then = nanos(previous);
  if (then === 0n) return now === 0n ? `no change vs ${label} ($0.00)` : `new: nothing vs ${label}`;
  const difference = now - then;
  const magnitude = then < 0n ? -then : then;
  const basisPoints = Number((difference * 10000n) / magnitude);
  const arrow = difference > 0n ? "▲" : difference < 0n ? "▼" : "=";
  const amount = difference < 0n ? -difference : difference;
  return `${arrow} ${(Math.abs(basisPoints) / 100).toFixed(1)}% (${difference < 0n ? "−" : "+"}${money(decimal(amount))}) vs ${label} (${money(previous)})`;
}

export function changeLine(id, current, previous, label) {
  const text = changeText(current, previous, label);
  return el("span", { class: `card-change ${text.startsWith("▲") ? "up" : text.startsWith("▼") ? "down" : ""}`, id }, text);
}
