// Charts through Chart.js from Debian's libjs-chart.js (served by Bursar at /vendor/chart.js).
// Every chart has a table beside it (for screen readers, keyboards and exact figures), tiers
// differ by pattern as well as colour, and axis ticks never repeat.

import { el } from "./dom.js";
import { count, decimal, millis, money, percent } from "./format.js";

const tierColors = { fast: "#2f9e44", standard: "#1c7ed6", frontier: "#e8590c", secure: "#7048e8" };
const palette = ["#0b7285", "#c2255c", "#5c940d", "#e67700", "#495057", "#862e9c"];
const tierPatterns = { fast: "solid", standard: "stripes", frontier: "dots", secure: "cross" };
const patternOrder = ["solid", "stripes", "dots", "cross", "rings"];

export function tierColor(tier, index = 0) {
  return tierColors[tier] ?? palette[index % palette.length];
}

/** The fill a tier is drawn with: its colour with a pattern of its own (told apart without colour). */
export function tierFill(tier, index = 0) {
  const color = tierColor(tier, index);
  const kind = tierPatterns[tier] ?? patternOrder[index % patternOrder.length];
  const tile = document.createElement("canvas");
  tile.width = tile.height = 8;
  const pen = tile.getContext("2d");
  if (!pen || kind === "solid") return color;
  pen.fillStyle = color;
  pen.fillRect(0, 0, 8, 8);
  pen.strokeStyle = pen.fillStyle = "rgba(255,255,255,0.75)";
  pen.lineWidth = 1.5;
  pen.beginPath();
  if (kind === "stripes") {
    pen.moveTo(0, 8);
    pen.lineTo(8, 0);
  } else if (kind === "cross") {
    pen.moveTo(0, 4);
    pen.lineTo(8, 4);
    pen.moveTo(4, 0);
    pen.lineTo(4, 8);
  } else if (kind === "rings") {
    pen.arc(4, 4, 2.5, 0, 2 * Math.PI);
  }
  pen.stroke();
  if (kind === "dots") pen.fillRect(3, 3, 2, 2);
  return pen.createPattern(tile, "repeat") ?? color;
}

/** Tick labels from the spacing of the ticks, so that neighbouring ticks never read the same. */
function decimalsFor(ticks) {
  const step = ticks.length > 1 ? Math.abs(ticks[1].value - ticks[0].value) : 1;
  return step > 0 ? Math.min(9, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9))) : 2;
}

export function moneyTick(value, index, ticks) {
  const decimals = Math.abs(value) >= 10 && decimalsFor(ticks) === 0 ? 0 : Math.max(2, decimalsFor(ticks));
  return `${value < 0 ? "−" : ""}$${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}`;
}

/** Latency ticks: ms below a second, seconds above, never two alike. */
export function latencyTick(value, index, ticks) {
  const seconds = ticks.some((tick) => tick.value >= 1000);
  if (!seconds) return `${count(value)} ms`;
  const decimals = Math.max(0, decimalsFor(ticks.map((tick) => ({ value: tick.value / 1000 }))));
  return `${(value / 1000).toFixed(decimals)} s`;
}

const moneyAxis = { beginAtZero: true, ticks: { callback: moneyTick } };

/**
 * A canvas in a sized box with its data as a table under it (in a details element);
 * `build(canvas)` makes the chart once the box is in the page.
 */
function chartBox(id, label, config, table) {
  const canvas = el("canvas", { id, role: "img", "aria-label": label });
  const box = el("div", { class: "chart" }, canvas);
  const alternative = table ? el("details", { class: "chart-table", id: `${id}-table` }, el("summary", {}, `${label} as a table`), table) : null;
  if (!window.Chart) {
    box.replaceChildren(el("p", { class: "error" }, "Charts need Chart.js: install Debian's libjs-chart.js on the server."));
    return el("div", {}, box, alternative);
  }
  window.Chart.getChart(canvas)?.destroy();
  new window.Chart(canvas, { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
  return el("div", {}, box, alternative);
}

function dataTable(headers, rows) {
  return el("div", { class: "table-scroll" }, el("table", { class: "plain" },
    el("thead", {}, el("tr", {}, headers.map((header, index) => el("th", { scope: "col", class: index ? "num" : null }, header)))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((cell, index) => (index ? el("td", { class: "num" }, cell) : el("th", { scope: "row" }, cell))))))));
}

/** Vertical lines at marked buckets (policy activations, budget state changes), with a label. */
const markerPlugin = {
  id: "bursarMarkers",
  afterDatasetsDraw(chart, _arguments, options) {
    const markers = options?.markers ?? [];
    if (!markers.length) return;
    const { ctx, chartArea, scales } = chart;
    ctx.save();
    for (const marker of markers) {
      const x = scales.x.getPixelForValue(marker.index);
      ctx.strokeStyle = marker.color;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = marker.color;
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillText(marker.symbol, x + 3, chartArea.top + 11);
    }
    ctx.restore();
  },
};

/**
 * Spend over time stacked by tier: `series` maps tier → nano-dollars (BigInt) per label; the
 * bars are drawn from them as numbers, while the tooltips and the table add them up exactly.
 * Tooltips give each bucket's total; `open(index, tier)` is called for a clicked bar (and the
 * table's links); `markers` are [{index, symbol, color, text}] drawn as lines.
 */
export function stackedSpend(id, labels, series, { open, markers = [] } = {}) {
  const tiers = Object.keys(series);
  const datasets = tiers.map((tier, index) => ({
    label: tier, data: series[tier].map((value) => Number(value) / 1e9),
    backgroundColor: tierFill(tier, index), borderColor: tierColor(tier, index), borderWidth: 1, stack: "spend",
  }));
  const exact = (tier, position) => money(decimal(series[tier][position]));
  const total = (position) => money(decimal(tiers.reduce((sum, tier) => sum + series[tier][position], 0n)));
  const table = dataTable(["Bucket", ...tiers, "Total"], labels.map((label, position) => [
    open ? el("button", { type: "button", class: "link bucket-link", onclick: () => open(position, null) }, label) : label,
    ...tiers.map((tier) => exact(tier, position)), total(position)]));
  return chartBox(id, "Spend over time by tier", {
    type: "bar",
    data: { labels, datasets },
    plugins: [markerPlugin],
    options: {
      scales: { x: { stacked: true }, y: { ...moneyAxis, stacked: true } },
      onClick: open ? (_event, elements) => {
        if (elements.length) open(elements[0].index, tiers[elements[0].datasetIndex]);
      } : undefined,
      onHover: open ? (event, elements) => {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      } : undefined,
      plugins: {
        bursarMarkers: { markers },
        tooltip: { callbacks: {
          label: (item) => `${item.dataset.label}: ${exact(item.dataset.label, item.dataIndex)}`,
          footer: (items) => (items.length ? `Total: ${total(items[0].dataIndex)}` : ""),
        } },
      },
    },
  }, table);
}

/** Tier mix: share of requests beside share of spend, per tier. */
export function tierMix(id, tiers) {
  return chartBox(id, "Tier mix", {
    type: "bar",
    data: {
      labels: tiers.map((tier) => tier.tier),
      datasets: [
        { label: "Share of requests", data: tiers.map((tier) => tier.share_of_requests * 100), backgroundColor: "#adb5bd" },
        { label: "Share of spend", data: tiers.map((tier) => tier.share_of_cost * 100), backgroundColor: tiers.map((tier, index) => tierFill(tier.tier, index)) },
      ],
    },
    options: {
      indexAxis: "y",
      scales: { x: { beginAtZero: true, max: 100, ticks: { callback: (value) => `${value}%` } } },
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.raw.toFixed(1)}%` } } },
    },
  }, dataTable(["Tier", "Share of requests", "Share of spend"], tiers.map((tier) => [tier.tier, percent(tier.share_of_requests), percent(tier.share_of_cost)])));
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
    options: {
      scales: { y: { beginAtZero: true, ticks: { callback: latencyTick } } },
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${millis(item.raw)}` } } },
    },
  }, dataTable(["Tier", "p50", "p95"], tiers.map((tier) => [tier.tier, millis(tier.latency_ms?.p50), millis(tier.latency_ms?.p95)])));
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
  }, dataTable(["Bucket", label], labels.map((bucket, index) => [bucket, values[index] === null ? "—" : percent(values[index], 2)])));
}
