// Breakdown: spend by any dimension, sortable and filterable, with drill-down and CSV.

import { api, query } from "../api.js";
import { el, emptyState, panel, replace } from "../dom.js";
import { exactCount, money, requests, share, unpricedNote } from "../format.js";
import { neutralized, parseCSV, writeCSV } from "../csv.js";
import { resolveRange } from "../range.js";
import { costContent, DataTable } from "../table.js";
import { dimensions, filterChips, filterParameters, filtersOf } from "../filters.js";

const drillOrder = { feature: ["user", "model"], user: ["model", "feature"], team: ["user", "feature"], tier: ["model", "user"],
  provider: ["model", "user"], model: ["user", "feature"], source: ["feature", "user"], reason: ["provider", "model"],
  status: ["provider", "model"] };
const LIMIT = 10000;

/** The dimension to group by after drilling into `dimension`, skipping those already filtered. */
export function nextDimension(dimension, filters) {
  return (drillOrder[dimension] ?? dimensions).find((candidate) => !(candidate in filters) && candidate !== dimension) ?? null;
}

/** The CSV records of exactly the rows shown, in the order shown, from the server's CSV. */
export function shownRecords(csvText, group, shownRows) {
  const [header, ...records] = parseCSV(csvText);
  const column = header.indexOf(group);
  const byValue = new Map(records.map((record) => [record[column], record]));
  return [header, ...shownRows.map((row) => byValue.get(neutralized(row[group] ?? ""))).filter(Boolean)];
}

export async function render(container, context) {
  const parameters = context.parameters;
  const group = dimensions.includes(parameters.group) ? parameters.group : "feature";
  const filters = filtersOf(parameters);
  const range = resolveRange(parameters);
  const request = { from: range.from, to: range.to, group_by: group, ...filters, limit: LIMIT };
  const report = await api.get(`/v1/spend${query(request)}`);
  if (!context.current()) return;

  const total = report.total;
  const next = nextDimension(group, filters);
  const drill = (row) => context.navigate({ group: next, [`f_${group}`]: row[group] ?? "" });
  const table = new DataTable({
    id: "breakdown-table",
    sort: parameters.sort ?? "cost_usd",
    filterLabel: `Filter ${group}s`,
    rowKey: (row) => row[group] ?? "",
    empty: "No spend for this selection. Widen the time range or remove a filter.",
    columns: [
      { key: group, label: group, render: (row) => next
        ? el("button", { type: "button", class: "link drill", title: `Show the ${next}s of this ${group}`, onclick: () => drill(row) }, row[group] ?? "(none)")
        : row[group] ?? "(none)" },
      { key: "requests", label: "Requests", kind: "count" },
      { key: "tokens", label: "Tokens", kind: "count", value: (row) => row.input_tokens + row.output_tokens },
      { key: "cost_usd", label: "Cost", kind: "money", render: (row) => costContent(row.cost_usd, row.requests, row.unpriced_requests) },
      { key: "share", label: "Share", kind: "percent", value: (row) => share(row.cost_usd, total.cost_usd) },
      { key: "savings_usd", label: "Savings", kind: "money" },
      { key: "errors", label: "Errors", kind: "count" },
      { key: "error_rate", label: "Error rate", kind: "percent", value: (row) => (row.requests ? row.errors / row.requests : null) },
      { key: "p50", label: "p50", kind: "millis", value: (row) => row.latency_ms?.p50 ?? null },
      { key: "p95", label: "p95", kind: "millis", value: (row) => row.latency_ms?.p95 ?? null },
      { key: "events", label: "Events", numeric: false, value: () => "", render: (row) => el("a", {
        class: "events-link", title: `The raw events of this ${group}`,
        href: `#/explore?${new URLSearchParams(filterParameters(parameters, { ...filters, [group]: row[group] ?? "" }))}` }, "events") },
    ],
    rows: report.rows,
  });

  const groupSelect = el("select", { id: "group-by", "aria-label": "Group by" },
    dimensions.map((name) => el("option", { value: name, selected: name === group }, name)));
  groupSelect.addEventListener("change", () => context.navigate({ group: groupSelect.value }));

  const crumbs = filterChips("filters", filters, (name) => context.navigate({ [`f_${name}`]: undefined }));

  const download = el("button", { type: "button", id: "csv-download" }, "Download CSV");
  const downloadStatus = el("span", { class: "hint", role: "status" });
  download.addEventListener("click", async () => {
    downloadStatus.textContent = "Preparing…";
    try {
      const text = await api.text(`/v1/spend.csv${query(request)}`);
      const records = shownRecords(text, group, table.shownRows);
      const link = el("a", { href: URL.createObjectURL(new Blob([writeCSV(records)], { type: "text/csv" })),
        download: `bursar-${group}-${range.fromDate}-${range.lastDate}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      downloadStatus.textContent = `${exactCount(records.length - 1)} rows`;
    } catch (error) {
      downloadStatus.textContent = error.message;
    }
  });

  const truncated = report.groups > report.rows.length
    ? el("p", { class: "hint" }, `Showing the ${exactCount(report.rows.length)} ${group}s with the most spend of ${exactCount(report.groups)}; totals include all.`)
    : null;
  replace(container,
    el("div", { class: "toolbar" }, el("label", { for: "group-by" }, "Group by"), groupSelect, crumbs,
      el("span", { class: "spacer" }), download, downloadStatus),
    el("p", { class: "totals", id: "breakdown-total", dataset: { value: total.cost_usd, requests: total.requests } },
      `${exactCount(total.requests)} requests · ${money(total.cost_usd)} · saved ${money(total.savings_usd)}`,
      total.unpriced_requests
        ? el("span", { class: "unpriced", id: "breakdown-unpriced", title: unpricedNote(total.unpriced_requests) },
          ` · ${requests(total.unpriced_requests)} without a price, not in the cost`)
        : null),
    truncated,
    report.rows.length || Object.keys(filters).length ? panel(null, table.element)
      : emptyState("No spend in this range.", "Pick a wider range above, or point a router at Bursar (see the Overview)."));
}
