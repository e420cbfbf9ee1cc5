// Policies: the active revision, its history, diffs between revisions, activation and rollback,
// and uploads with every validation problem and its line.

import { api, query } from "../api.js";
import { el, errorBox, panel, replace } from "../dom.js";
import { field } from "../forms.js";
import { revision, time } from "../format.js";
import { DataTable } from "../table.js";
import { diffView } from "../diff.js";
import { simulationPanel } from "../simulation.js";

function problemList(problems) {
  return el("ul", { class: "problems", id: "policy-problems" }, problems.map((problem) =>
    el("li", { class: `problem ${problem.severity}` },
      el("span", { class: "badge" }, problem.severity),
      problem.line ? ` line ${problem.line} · ` : " ",
      el("code", {}, problem.field || "policy"), ": ", problem.message)));
}

/**
 * Asks before a policy goes live: what changes for routers (the diff from the active policy),
 * and why (kept in the audit log). Routers get the new bundle on their next poll.
 */
function confirmActivation(candidate, active, rollback, context) {
  const verb = rollback ? "Roll back" : "Activate";
  const reason = el("textarea", { rows: "2", maxlength: "1000", placeholder: "why (kept in the audit log)" });
  const changes = el("div", { id: "activation-changes" }, el("p", { class: "hint" }, "Loading what changes…"));
  const confirm = el("button", { type: "submit", id: "activation-confirm" }, `${verb} for every router`);
  const dialog = el("dialog", { id: "activation-dialog", class: "panel", "aria-labelledby": "activation-title" });
  let pending = false;
  const close = () => {
    if (!pending) dialog.close();
  };
  dialog.addEventListener("close", () => dialog.remove());
  const cancel = el("button", { type: "button", id: "activation-cancel", onclick: close }, "Cancel");
  const form = el("form", { class: "admin-form", onsubmit: async (event) => {
    event.preventDefault();
    const problem = form.querySelector("[data-error-for=reason]");
    problem.textContent = "";
    if (reason.value.trim() === "") {
      problem.textContent = "Say why, for the audit log.";
      reason.focus();
      return;
    }
    // While the server decides, the dialog stays: no cancel that would not be one.
    pending = true;
    confirm.disabled = cancel.disabled = true;
    try {
      await api.post(`/v1/policies/${candidate.revision}/activate`, { reason: reason.value.trim() });
      pending = false;
      close();
      context.refresh();
    } catch (error) {
      pending = false;
      problem.textContent = error.message;
      confirm.disabled = cancel.disabled = false;
    }
  } },
  el("h2", { id: "activation-title" }, `${verb} to ${candidate.name} ${revision(candidate.revision)}?`),
  el("p", {}, active
    ? `Routers now follow ${active.name} ${revision(active.revision)}. They get the new bundle on their next poll (a long poll returns at once) and route by it from then on.`
    : "No policy is active: routers get this one on their next poll."),
  changes, field("Reason", reason, "reason"), el("div", { class: "actions" }, confirm, cancel));
  dialog.append(form);
  dialog.addEventListener("cancel", (event) => {
    if (pending) event.preventDefault();
  });
  document.body.append(dialog);
  dialog.showModal();
  reason.focus();
  if (active) {
    api.get(`/v1/policies/${active.revision}/diff/${candidate.revision}`).then((diff) => {
      replace(changes, el("p", {}, `What changes, from the active policy (−) to this one (+):`),
        diff.changed ? diffView(diff.lines, "activation-diff") : el("p", { class: "hint" }, "Nothing: the two have the same content."));
    }, (error) => replace(changes, errorBox(error)));
  } else {
    replace(changes);
  }
}

function uploadForm(active, context) {
  const source = el("textarea", { id: "policy-source", rows: "14", spellcheck: "false", "aria-label": "Policy YAML",
    placeholder: "name: support\nbaseline_tier: frontier\n…" });
  const file = el("input", { type: "file", accept: ".yaml,.yml,text/yaml", id: "policy-file", "aria-label": "Load a YAML file" });
  file.addEventListener("change", async () => {
    if (file.files[0]) source.value = await file.files[0].text();
  });
  const result = el("div", { class: "upload-result", role: "status" });
  const submit = el("button", { type: "submit" }, "Validate and save");
  const node = el("form", { id: "policy-upload", class: "admin-form", dataset: { admin: "" }, onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(result);
    try {
      const saved = await api.post("/v1/policies", source.value, "application/yaml");
      // Going live is a separate, confirmed step (what changes for routers, and why).
      replace(result, el("p", { class: "ok" }, `Saved revision ${revision(saved.revision)}. `,
        saved.active ? "It is the active policy." : el("button", { type: "button", id: "policy-activate-saved",
          onclick: () => confirmActivation(saved, active, false, context) }, "Activate…")),
      saved.warnings?.length ? problemList(saved.warnings) : null);
    } catch (error) {
      replace(result, errorBox(error), error.problems?.length ? problemList(error.problems) : null);
    } finally {
      submit.disabled = false;
    }
  } }, el("h2", {}, "Upload a policy"), el("p", { class: "hint" }, "YAML as in policies/default.yaml. It is validated first; nothing changes when it has errors."),
  file, source, submit, result);
  return node;
}

export async function render(container, context) {
  const { policies } = await api.get("/v1/policies");
  if (!context.current()) return;
  const active = policies.find((policy) => policy.active);
  const activeDetail = active ? await api.get(`/v1/policies/${active.revision}`) : null;
  if (!context.current()) return;

  const columns = [
    { key: "revision", label: "Revision", render: (row) => el("code", { title: row.revision }, revision(row.revision)) },
    { key: "name", label: "Name" },
    { key: "author", label: "By" },
    { key: "origin", label: "From" },
    { key: "created_at", label: "Created", kind: "time" },
    { key: "active", label: "State", value: (row) => (row.active ? "active" : ""),
      render: (row) => (row.active ? el("span", { class: "badge state-ok" }, "active") : "") },
  ];
  if (context.admin) {
    columns.push({ key: "activate", label: "", numeric: false, value: () => "", render: (row) => row.active ? "" :
      el("button", { type: "button", dataset: { admin: "", revision: row.revision },
        onclick: () => confirmActivation(row, active, Date.parse(row.created_at) < Date.parse(active?.created_at ?? ""), context) },
      Date.parse(row.created_at) < Date.parse(active?.created_at ?? "") ? "Roll back to this" : "Activate") });
  }
  const history = new DataTable({ id: "policy-history", columns, rows: policies, sort: "created_at", rowKey: (row) => row.revision });

  const options = (selected) => policies.map((policy) => el("option", { value: policy.revision, selected: policy.revision === selected },
    `${revision(policy.revision)} · ${policy.name} · ${time(policy.created_at)}${policy.active ? " (active)" : ""}`));
  const older = policies.find((policy) => !policy.active)?.revision ?? active?.revision;
  const from = el("select", { id: "diff-from", "aria-label": "From revision" }, options(older));
  const to = el("select", { id: "diff-to", "aria-label": "To revision" }, options(active?.revision));
  const diffResult = el("div", { id: "diff-result" });
  const diffForm = el("form", { class: "toolbar", onsubmit: async (event) => {
    event.preventDefault();
    try {
      const diff = await api.get(`/v1/policies/${from.value}/diff/${to.value}`);
      replace(diffResult, diff.changed ? diffView(diff.lines) : el("p", { class: "hint" }, "The two revisions are the same."));
    } catch (error) {
      replace(diffResult, errorBox(error));
    }
  } }, from, "→", to, el("button", { type: "submit", id: "diff-show" }, "Show diff"));

  replace(container,
    panel("Active policy", active
      ? el("div", { id: "active-policy" },
        el("p", {}, el("strong", {}, activeDetail.name), " · revision ", el("code", { title: active.revision }, revision(active.revision)),
          ` · by ${active.author} · ${time(active.created_at)}`),
        activeDetail.description ? el("p", { class: "hint" }, activeDetail.description) : null,
        el("details", {}, el("summary", {}, "Source"), el("pre", { class: "source" }, activeDetail.source ?? "")))
      : el("p", {}, "No policy is active. Routers get no bundle policy until one is; upload one below or put default.yaml in the policies folder.")),
    panel("History", history.element),
    panel("Compare two revisions", diffForm, diffResult),
    context.admin && active ? simulationPanel(policies, active, context) : null,
    context.admin ? panel(null, uploadForm(active, context)) : null);
}
