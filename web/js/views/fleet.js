// Fleet: every router instance, the policy it runs (by name and revision, as the Policies view
// shows them), how far behind it is, and when it was last heard from.

import { api } from "../api.js";
import { code, el, emptyState, panel, replace } from "../dom.js";
import { age, exactCount, revision, time } from "../format.js";
import { DataTable } from "../table.js";

/** "cheap-first 1a2b3c4d5e6f", or what is known when the bundle's policy is not. */
export function policyLabel(policy, bundleRevision) {
  if (policy) return `${policy.name} ${revision(policy.revision)}`;
  if (!bundleRevision) return "nothing applied yet";
  return `unknown policy (bundle ${revision(bundleRevision)}, issued before this Bursar kept a history)`;
}

/** "current", "1 revision behind for 2 h", "3 revisions behind". */
export function behindLabel(instance, now = Date.now()) {
  if (instance.revisions_behind === null) return instance.applied_revision ? "unknown" : "—";
  if (instance.revisions_behind === 0) return "current";
  const count = `${exactCount(instance.revisions_behind)} ${instance.revisions_behind === 1 ? "revision" : "revisions"} behind`;
  return instance.behind_since ? `${count} for ${age(instance.behind_since, now).replace(" ago", "")}` : count;
}

function policyCell(policy, bundleRevision) {
  if (!policy) return el("span", { class: "hint", title: bundleRevision ?? "" }, policyLabel(policy, bundleRevision));
  return el("span", { title: `policy ${policy.revision} · bundle ${bundleRevision}` }, el("strong", {}, policy.name), " ", code(revision(policy.revision)));
}

/** The most pages of 1,000 instances the view reads; past them it says how far it got. */
const maximumPages = 20;

/** Every instance, a page at a time (the API answers at most 1,000 a request). */
async function wholeFleet() {
  const fleet = await api.get("/v1/fleet?limit=1000");
  let pages = 1;
  while (fleet.next && pages < maximumPages) {
    const page = await api.get(`/v1/fleet?limit=1000&after=${encodeURIComponent(fleet.next)}`);
    fleet.instances.push(...page.instances);
    fleet.next = page.next;
    pages += 1;
  }
  return fleet;
}

export async function render(container, context) {
  const fleet = await wholeFleet();
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
      { key: "policy", label: "Runs policy", value: (row) => policyLabel(row.applied_policy, row.applied_revision),
        render: (row) => policyCell(row.applied_policy, row.applied_revision) },
      { key: "behind", label: "Behind", numeric: false, value: (row) => behindLabel(row),
        sortValue: (row) => row.revisions_behind ?? -1 },
      { key: "error", label: "Error", value: (row) => (row.error
        ? `${row.error.code}: ${row.error.message}${row.attempted_policy ? ` (refused ${policyLabel(row.attempted_policy, row.attempted_revision)})` : ""}`
        : "") },
      { key: "last_seen", label: "Last contact", kind: "time",
        render: (row) => el("span", { title: time(row.last_seen) }, age(row.last_seen)) },
      { key: "poll_interval_s", label: "Poll (s)", kind: "count" },
    ],
    rows: fleet.instances,
  });
  replace(container,
    el("p", { class: "hint", id: "fleet-current" }, "Routers should run ",
      fleet.current_policy ? [el("strong", {}, fleet.current_policy.name), " ", code(revision(fleet.current_policy.revision))] : "no policy",
      ` (bundle ${revision(fleet.current_revision)}, serial ${fleet.current_serial}). `,
      Object.entries(counts).map(([state, number]) => `${number} ${state}`).join(" · "),
      fleet.next ? ` Showing the first ${exactCount(fleet.instances.length)} instances; more are listed by GET /v1/fleet with after.` : ""),
    fleet.instances.length ? panel(null, table.element)
      : emptyState("No router has reported yet.",
        el("span", {}, "Routers pull ", code("GET /v1/bundle"), " and report what they applied with ", code("POST /v1/status"),
          " (", code('{"instance_id":"edge-1","applied_revision":"…","poll_interval_s":30}'), ")."),
        "An instance is SYNCED on the current revision, STALE behind it, REJECTED when it refused a bundle, SILENT after three missed polls."));
}
