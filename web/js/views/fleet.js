// Fleet: every router instance, the revision it runs and when it was last heard from.

import { api } from "../api.js";
import { code, el, emptyState, panel, replace } from "../dom.js";
import { age, revision, time } from "../format.js";
import { DataTable } from "../table.js";

export async function render(container, context) {
  const fleet = await api.get("/v1/fleet");
  if (!context.current()) return;
  const counts = {};
  for (const instance of fleet.instances) counts[instance.state] = (counts[instance.state] ?? 0) + 1;
  const table = new DataTable({
    id: "fleet-table",
    sort: "last_seen",
    rowKey: (row) => row.instance_id,
    columns: [
      { key: "instance_id", label: "Instance" },
      { key: "source", label: "Key" },
      { key: "state", label: "State", render: (row) => el("span", { class: `badge fleet-${row.state.toLowerCase()}` }, row.state) },
      { key: "applied_revision", label: "Applied", render: (row) => el("code", { title: row.applied_revision ?? "" }, revision(row.applied_revision)) },
      { key: "error", label: "Error", value: (row) => (row.error ? `${row.error.code}: ${row.error.message}` : "") },
      { key: "last_seen", label: "Last contact", kind: "time",
        render: (row) => el("span", { title: time(row.last_seen) }, age(row.last_seen)) },
      { key: "poll_interval_s", label: "Poll (s)", kind: "count" },
    ],
    rows: fleet.instances,
  });
  replace(container,
    el("p", { class: "hint" }, "Current bundle revision ", el("code", { title: fleet.current_revision }, revision(fleet.current_revision)), ". ",
      Object.entries(counts).map(([state, number]) => `${number} ${state}`).join(" · ")),
    fleet.instances.length ? panel(null, table.element)
      : emptyState("No router has reported yet.",
        el("span", {}, "Routers pull ", code("GET /v1/bundle"), " and report what they applied with ", code("POST /v1/status"),
          " (", code('{"instance_id":"edge-1","applied_revision":"…","poll_interval_s":30}'), ")."),
        "An instance is SYNCED on the current revision, STALE behind it, REJECTED when it refused a bundle, SILENT after three missed polls."));
}
