// Policies: the active revision, its history, diffs between revisions, activation and rollback,
// and uploads with every validation problem and its line.

import { api, query } from "../api.js";
import { el, errorBox, panel, replace } from "../dom.js";
import { revision, time } from "../format.js";
import { DataTable } from "../table.js";

function problemList(problems) {
  return el("ul", { class: "problems", id: "policy-problems" }, problems.map((problem) =>
    el("li", { class: `problem ${problem.severity}` },
      el("span", { class: "badge" }, problem.severity),
      problem.line ? ` line ${problem.line} · ` : " ",
      el("code", {}, problem.field || "policy"), ": ", problem.message)));
}

function diffView(lines) {
  return el("pre", { class: "diff", id: "policy-diff" }, lines.map((line) =>
    el("span", { class: line.startsWith("+") ? "added" : line.startsWith("-") ? "removed" : "same" }, `${line}\n`)));
}

function uploadForm(context) {
  const source = el("textarea", { id: "policy-source", rows: "14", spellcheck: "false", "aria-label": "Policy YAML",
    placeholder: "name: support\nbaseline_tier: frontier\n…" });
  const file = el("input", { type: "file", accept: ".yaml,.yml,text/yaml", id: "policy-file", "aria-label": "Load a YAML file" });
  file.addEventListener("change", async () => {
    if (file.files[0]) source.value = await file.files[0].text();
  });
  const activate = el("input", { type: "checkbox", id: "policy-activate" });
  const result = el("div", { class: "upload-result", role: "status" });
  const submit = el("button", { type: "submit" }, "Validate and save");
  const node = el("form", { id: "policy-upload", class: "admin-form", dataset: { admin: "" }, onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(result);
    try {
      const saved = await api.post(`/v1/policies${query({ activate: activate.checked ? "true" : undefined })}`, source.value, "application/yaml");
      replace(result, el("p", { class: "ok" }, `Saved revision ${revision(saved.revision)}${saved.active ? " and activated it" : ""}.`),
        saved.warnings?.length ? problemList(saved.warnings) : null);
      setTimeout(() => context.refresh(), saved.warnings?.length ? 1500 : 0);
    } catch (error) {
      replace(result, errorBox(error), error.problems?.length ? problemList(error.problems) : null);
    } finally {
      submit.disabled = false;
    }
  } }, el("h2", {}, "Upload a policy"), el("p", { class: "hint" }, "YAML as in policies/default.yaml. It is validated first; nothing changes when it has errors."),
  file, source, el("label", { class: "check" }, activate, " Activate it now"), submit, result);
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
      el("button", { type: "button", dataset: { admin: "", revision: row.revision }, onclick: async (event) => {
        event.target.disabled = true;
        try {
          await api.post(`/v1/policies/${row.revision}/activate`);
          context.refresh();
        } catch (error) {
          event.target.after(errorBox(error));
        }
      } }, Date.parse(row.created_at) < Date.parse(active?.created_at ?? "") ? "Roll back to this" : "Activate") });
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
    context.admin ? panel(null, uploadForm(context)) : null);
}
