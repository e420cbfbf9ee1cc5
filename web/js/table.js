// A sortable, filterable table that stays responsive with tens of thousands of rows: only the
// rows in view (and a margin) are in the DOM; spacers stand for the rest.

import { el, replace } from "./dom.js";
import { cost, count, exactCount, millis, money, nanos, percent, time, unpricedNote } from "./format.js";

const ROW_HEIGHT = 34;
const WINDOWED_FROM = 300;
const MARGIN = 30;

const renderers = {
  text: (value) => value ?? "—",
  count: (value) => el("span", { title: exactCount(value) }, count(value)),
  money: (value) => el("span", { title: `$${value}`, dataset: { value: value ?? "" } }, money(value)),
  percent: (value) => percent(value),
  millis: (value) => millis(value),
  time: (value) => time(value),
};

/** A cost that says how many requests it leaves out for want of a price (see `cost`). */
export function costContent(costUSD, requests, unpriced) {
  return el("span", { class: unpriced ? "unpriced" : null, title: unpriced ? unpricedNote(unpriced) : `$${costUSD}`,
    dataset: { value: costUSD ?? "", unpriced: String(unpriced ?? 0) } }, cost(costUSD, requests, unpriced));
}

const sortKeys = {
  money: (value) => nanos(value),
  text: (value) => (value ?? "").toLowerCase(),
};

export class DataTable {
  /**
   * columns: [{key, label, kind, value(row), render(row), numeric}]; the first sort is by
   * `sort` (a column key), descending for numbers.
   */
  constructor({ id, columns, rows = [], sort, filterLabel = "Filter", empty = null, rowKey }) {
    this.columns = columns.map((column) => ({
      kind: "text",
      value: (row) => row[column.key],
      ...column,
      numeric: column.numeric ?? !["text", "time"].includes(column.kind ?? "text"),
    }));
    this.sortColumn = this.columns.find((column) => column.key === sort) ?? null;
    this.descending = this.sortColumn ? this.sortColumn.numeric || this.sortColumn.kind === "time" : false;
    this.filterText = "";
    this.empty = empty;
    this.rowKey = rowKey;
    this.body = el("tbody");
    this.head = el("tr");
    this.status = el("span", { class: "table-count", "aria-live": "polite" });
    this.filter = el("input", { type: "search", class: "table-filter", placeholder: filterLabel, "aria-label": filterLabel });
    let timer = null;
    this.filter.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.filterText = this.filter.value.trim().toLowerCase();
        this.refresh();
      }, 80);
    });
    this.scroller = el("div", { class: "table-scroll" }, el("table", { id }, el("thead", {}, this.head), this.body));
    this.scroller.addEventListener("scroll", () => this.scheduleWindow());
    this.element = el("div", { class: "data-table" }, el("div", { class: "table-tools" }, this.filter, this.status), this.scroller);
    this.renderHead();
    this.setRows(rows);
  }

  setRows(rows) {
    this.rows = rows;
    this.refresh();
  }

  /** The rows as shown: filtered, then sorted. */
  get shownRows() {
    return this.shown;
  }

  renderHead() {
    replace(this.head, this.columns.map((column) => {
      const active = column === this.sortColumn;
      const sort = active ? (this.descending ? "descending" : "ascending") : "none";
      return el("th", { scope: "col", class: column.numeric ? "num" : null, "aria-sort": sort },
        el("button", { type: "button", class: "sort", dataset: { key: column.key }, onclick: () => this.sortBy(column) },
          column.label, active ? (this.descending ? " ▾" : " ▴") : ""));
    }));
  }

  sortBy(column) {
    if (this.sortColumn === column) this.descending = !this.descending;
    else {
      this.sortColumn = column;
      this.descending = column.numeric || column.kind === "time";
    }
    this.renderHead();
    this.refresh();
  }

  refresh() {
    let rows = this.rows;
    if (this.filterText) {
      const textColumns = this.columns.filter((column) => !column.numeric);
      rows = rows.filter((row) => textColumns.some((column) => String(column.value(row) ?? "").toLowerCase().includes(this.filterText)));
    }
    if (this.sortColumn) {
      const column = this.sortColumn;
      const key = column.sortValue ?? ((row) => (sortKeys[column.kind] ?? ((value) => value ?? -Infinity))(column.value(row)));
      const keyed = rows.map((row) => [key(row), row]);
      const direction = this.descending ? -1 : 1;
      keyed.sort((a, b) => (a[0] < b[0] ? -direction : a[0] > b[0] ? direction : 0));
      rows = keyed.map((pair) => pair[1]);
    }
    this.shown = rows;
    const noun = this.rows.length === 1 ? "row" : "rows";
    this.status.textContent = rows.length === this.rows.length
      ? `${exactCount(rows.length)} ${noun}`
      : `${exactCount(rows.length)} of ${exactCount(this.rows.length)} ${noun}`;
    this.scroller.scrollTop = 0;
    this.renderWindow();
  }

  scheduleWindow() {
    if (this.shown.length < WINDOWED_FROM || this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.renderWindow();
    });
  }

  renderWindow() {
    const rows = this.shown;
    if (rows.length === 0) {
      replace(this.body, el("tr", { class: "empty-row" }, el("td", { colspan: this.columns.length }, this.empty ?? "No rows.")));
      return;
    }
    let start = 0;
    let end = rows.length;
    if (rows.length >= WINDOWED_FROM) {
      const visible = Math.ceil((this.scroller.clientHeight || 600) / ROW_HEIGHT);
      start = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - MARGIN);
      end = Math.min(rows.length, start + visible + 2 * MARGIN);
    }
    const spacer = (height) => {
      const cell = el("td", { colspan: this.columns.length });
      const row = el("tr", { class: "spacer", "aria-hidden": "true" }, cell);
      row.style.height = `${height}px`;
      return row;
    };
    replace(this.body,
      start > 0 ? spacer(start * ROW_HEIGHT) : null,
      rows.slice(start, end).map((row) => this.renderRow(row)),
      end < rows.length ? spacer((rows.length - end) * ROW_HEIGHT) : null);
  }

  renderRow(row) {
    return el("tr", { dataset: this.rowKey ? { key: this.rowKey(row) } : {} }, this.columns.map((column) => {
      const content = column.render ? column.render(row) : renderers[column.kind](column.value(row));
      const title = column.kind === "text" && !column.render ? column.value(row) : null;
      return el("td", { class: column.numeric ? "num" : null, title, dataset: { column: column.key } }, content);
    }));
  }
}
