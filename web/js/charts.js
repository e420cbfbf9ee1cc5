// Charts through Chart.js from Debian's libjs-chart.js (served by Bursar at /vendor/chart.js).

import { el } from "./dom.js";
import { count, money } from "./format.js";

const tierColors = { fast: "#2f9e44", standard: "#1c7ed6", frontier: "#e8590c", secure: "#7048e8" };
const palette = ["#0b7285", "#c2255c", "#5c940d", "#e67700", "#495057", "#862e9c"];

export function tierColor(tier, index = 0) {
  return tierColors[tier] ?? palette[index % palette.length];
}

/** A canvas in a sized box; `build(canvas)` makes the chart once the box is in the page. */
function chartBox(id, label, config) {
  const canvas = el("canvas", { id, role: "img", "aria-label": label });
  const box = el("div", { class: "chart" }, canvas);
  if (!window.Chart) {
    box.replaceChildren(el("p", { class: "error" }, "Charts need Chart.js: install Debian's libjs-chart.js on the server."));
    return box;
  }
  window.Chart.getChart(canvas)?.destroy();
  new window.Chart(canvas, { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
  return box;
}

/** Axis ticks: whole dollars when large, cents when small. */
function moneyTick(value) {
  return Math.abs(value) >= 10 ? `$${Math.round(value).toLocaleString("en-US")}` : `$${value.toFixed(2)}`;
}

const moneyAxis = { beginAtZero: true, ticks: { callback: moneyTick } };

/** Spend over time stacked by tier: `series` maps tier → values per label. */
export function stackedSpend(id, labels, series) {
  const datasets = Object.entries(series).map(([tier, values], index) => ({
    label: tier, data: values, backgroundColor: tierColor(tier, index), stack: "spend",
  }));
  return chartBox(id, "Spend over time by tier", {
    type: "bar",
    data: { labels, datasets },
    options: {
      scales: { x: { stacked: true }, y: { ...moneyAxis, stacked: true } },
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${money(item.raw.toFixed(9))}` } } },
    },
  });
}

/** Tier mix: share of requests beside share of spend, per tier. */
export function tierMix(id, tiers) {
  return chartBox(id, "Tier mix", {
    type: "bar",
    data: {
      labels: tiers.map((tier) => tier.tier),
      datasets: [
        { label: "Share of requests", data: tiers.map((tier) => tier.share_of_requests * 100), backgroundColor: "#adb5bd" },
        { label: "Share of spend", data: tiers.map((tier) => tier.share_of_cost * 100), backgroundColor: tiers.map((tier, index) => tierColor(tier.tier, index)) },
      ],
    },
    options: {
      indexAxis: "y",
      scales: { x: { beginAtZero: true, max: 100, ticks: { callback: (value) => `${value}%` } } },
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.raw.toFixed(1)}%` } } },
    },
  });
}

/** Horizontal bars of money per label (top spenders). */
export function moneyBars(id, label, labels, values, color) {
  return chartBox(id, label, {
    type: "bar",
    data: { labels, datasets: [{ label, data: values, backgroundColor: color }] },
    options: {
      indexAxis: "y",
      scales: { x: moneyAxis },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => money(item.raw.toFixed(9)) } } },
    },
  });
}

/** p50 and p95 latency per tier. */
export function latencyBars(id, tiers) {
  return chartBox(id, "Latency per tier", {
    type: "bar",
    data: {
      labels: tiers.map((tier) => tier.tier),
      datasets: [
        { label: "p50", data: tiers.map((tier) => tier.latency_ms?.p50 ?? null), backgroundColor: "#74c0fc" },
        { label: "p95", data: tiers.map((tier) => tier.latency_ms?.p95 ?? null), backgroundColor: "#1864ab" },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { callback: (value) => `${count(value)} ms` } } } },
  });
}

/** A rate over time, in percent; null where the bucket had nothing to divide by. */
export function rateLine(id, label, labels, values) {
  return chartBox(id, label, {
    type: "line",
    data: { labels, datasets: [{ label, data: values.map((value) => (value === null ? null : value * 100)), borderColor: "#c2255c",
      backgroundColor: "#c2255c", spanGaps: false, pointRadius: 2 }] },
    options: {
      scales: { y: { beginAtZero: true, ticks: { callback: (value) => `${value}%` } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => `${item.raw.toFixed(2)}%` } } },
    },
  });
}
