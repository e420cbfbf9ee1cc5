// Formatting for people. Money arrives as exact decimal strings ("1234.567890123") and is
// rounded here with integer arithmetic (BigInt), never through floating point.

const NANOS = 1_000_000_000n;

/** Nano-dollars from a decimal string such as "-12.5" or "0.000000001". */
export function nanos(text) {
  const match = /^(-?)(\d+)(?:\.(\d{1,9}))?$/.exec(String(text ?? "0"));
  if (!match) return 0n;
  const value = BigInt(match[2]) * NANOS + BigInt((match[3] ?? "").padEnd(9, "0"));
  return match[1] ? -value : value;
}

/** A decimal string from nano-dollars, as the API writes it. */
export function decimal(value) {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  return `${negative ? "-" : ""}${magnitude / NANOS}.${String(magnitude % NANOS).padStart(9, "0")}`;
}

/** Rounds nano-dollars to `digits` decimals, half to even. */
function rounded(value, digits) {
  const unit = 10n ** BigInt(9 - digits);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  let quotient = magnitude / unit;
  const remainder = magnitude % unit;
  if (remainder * 2n > unit || (remainder * 2n === unit && quotient % 2n === 1n)) quotient += 1n;
  return { negative: negative && quotient !== 0n, quotient };
}

function grouped(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * One rule for money: cents from a dollar up ("$1,234.56" from "1234.555000000"); under a
 * dollar, three significant digits and at least cents ("$0.50", "$0.0123", "$0.000000001"), so
 * that no non-zero amount reads "$0.00" or "$0.0000". Half to even, on the exact nano-dollars.
 */
export function money(text) {
  const value = nanos(text);
  const magnitude = value < 0n ? -value : value;
  let digits = 2;
  if (magnitude !== 0n && magnitude < NANOS) {
    // The decimal place of the first significant digit: 1 for $0.5, 2 for $0.01, 9 for $0.000000001.
    const firstSignificant = 10 - String(magnitude).length;
    digits = Math.min(9, Math.max(2, firstSignificant + 2));
  }
  const { negative, quotient } = rounded(value, digits);
  const scale = 10n ** BigInt(digits);
  const whole = grouped(String(quotient / scale));
  const fraction = String(quotient % scale).padStart(digits, "0").replace(/(\d{2}\d*?)0+$/, "$1");
  return `${negative ? "−" : ""}$${whole}.${fraction}`;
}

/**
 * A cost that leaves requests out because they have no price: "no price" when none of
 * `requests` has one, "$1.23 + 4 unpriced" when some lack one, the plain amount otherwise.
 * Never "$0.00" for requests whose cost is unknown.
 */
export function cost(text, requests, unpriced) {
  if (!unpriced) return money(text);
  if (unpriced >= requests && nanos(text) === 0n) return "no price";
  return `${money(text)} + ${exactCount(unpriced)} unpriced`;
}

/** "1 request", "1,234 requests". */
export function requests(number) {
  return `${exactCount(number)} ${number === 1 ? "request" : "requests"}`;
}

/** What a cost leaves out, for its tooltip. */
export function unpricedNote(unpriced) {
  return `${requests(unpriced)} ${unpriced === 1 ? "has" : "have"} no price for its model and no reported cost: `
    + "left out of this amount. Add the model to prices.yaml, or send cost_usd with the events.";
}

/** "987", "12.3k", "4.5M", "1.2B". */
export function count(value) {
  const number = Number(value ?? 0);
  const magnitude = Math.abs(number);
  const short = (divisor, suffix) => `${(number / divisor).toFixed(1).replace(/\.0$/, "")}${suffix}`;
  if (magnitude < 1000) return String(number);
  if (magnitude < 999_950) return short(1e3, "k");
  if (magnitude < 999_950_000) return short(1e6, "M");
  return short(1e9, "B");
}

/** A count with every digit: "12,345". */
export function exactCount(value) {
  return grouped(String(value ?? 0));
}

/** "45.1%" from a fraction 0.451. */
export function percent(fraction, digits = 1) {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "—";
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** The share one nano-dollar amount is of another, as a fraction (for display). */
export function share(part, whole) {
  const total = nanos(whole);
  if (total === 0n) return 0;
  return Number((nanos(part) * 1_000_000n) / total) / 1_000_000;
}

/** "1.2 s" or "240 ms"; "—" when unknown. */
export function millis(value) {
  if (value === null || value === undefined) return "—";
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value} ms`;
}

const ZONE_KEY = "bursar.zone";

/** The time zone times are shown in (UTC unless chosen otherwise in this tab). */
export function displayZone() {
  return sessionStorage.getItem(ZONE_KEY) || "UTC";
}

export function setDisplayZone(zone) {
  if (zone === "UTC") sessionStorage.removeItem(ZONE_KEY);
  else sessionStorage.setItem(ZONE_KEY, zone);
}

/** "2026-11-22 10:00 UTC" from an RFC 3339 time, in `zone` (the display zone by default). */
export function time(text, zone = displayZone(), seconds = false) {
  if (!text) return "—";
  if (zone === "UTC") return `${text.slice(0, 10)} ${text.slice(11, seconds ? 19 : 16)} UTC`;
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    second: seconds ? "2-digit" : undefined, hourCycle: "h23",
  }).formatToParts(new Date(text)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}${seconds ? `:${parts.second}` : ""} ${zone}`;
}

/** The same with seconds. */
export function timeSeconds(text, zone = displayZone()) {
  return time(text, zone, true);
}

/** "3 min ago", "2 h ago", "5 d ago". */
export function age(text, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - Date.parse(text)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** The first characters of a revision hash. */
export function revision(text) {
  return text ? text.slice(0, 12) : "—";
}
