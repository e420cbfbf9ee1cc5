// Admin forms: labelled fields, and the server's validation message shown by the field it names.

import { el } from "./dom.js";

/** A labelled input with a place for its error. `name` is the API field it edits. */
export function field(label, input, name, hint) {
  input.id ||= `field-${name.replaceAll(".", "-")}`;
  input.name ||= name;
  return el("div", { class: "field" }, el("label", { for: input.id }, label), input,
    hint ? el("span", { class: "hint" }, hint) : null,
    el("p", { class: "field-error", dataset: { errorFor: name }, role: "alert" }));
}

export function input(attributes = {}) {
  return el("input", { type: "text", ...attributes });
}

export function select(options, selected, attributes = {}) {
  return el("select", attributes, options.map((option) => {
    const [value, label] = Array.isArray(option) ? option : [option, option];
    return el("option", { value, selected: value === selected }, label);
  }));
}

export function clearErrors(form) {
  for (const node of form.querySelectorAll(".field-error, .form-error")) node.textContent = "";
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

/** Problems found before sending, all shown at once, each under its field. */
export class FormProblems extends Error {
  constructor(problems) {
    super(problems.map((problem) => problem.message).join(" "));
    this.problems = problems;
  }
}

/**
 * Shows an API error (or every problem of a `FormProblems`) beside the field it names
 * ("scope.feature" falls back to "scope", "prices[0].input" to "prices"), or at the top of the form when it names none of
 * the form's fields.
 */
export function showError(form, error) {
  clearErrors(form);
  for (const problem of error instanceof FormProblems ? error.problems : [error]) {
    const names = problem.field ? [problem.field, problem.field.split(".")[0], problem.field.split(/[.[]/)[0]] : [];
    const target = names.map((name) => form.querySelector(`[data-error-for="${CSS.escape(name)}"]`)).find(Boolean);
    if (target) {
      target.textContent = target.textContent ? `${target.textContent} ${problem.message}` : problem.message;
      target.closest(".field")?.querySelector("input, select, textarea")?.setAttribute("aria-invalid", "true");
    } else {
      const general = form.querySelector(".form-error");
      general.textContent = general.textContent ? `${general.textContent} ${problem.message}` : problem.message;
    }
  }
}

/** A form with a place for errors that name no field. */
export function form(id, onSubmit, ...children) {
  const node = el("form", { id, class: "admin-form", dataset: { admin: "" }, novalidate: true }, el("p", { class: "form-error", role: "alert" }), ...children);
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(node);
    const button = node.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await onSubmit(node);
    } catch (error) {
      showError(node, error);
    } finally {
      button.disabled = false;
    }
  });
  return node;
}

/** A delete button that asks once more before acting. */
export function confirmButton(label, action, attributes = {}) {
  const button = el("button", { type: "button", class: "danger", dataset: { admin: "" }, ...attributes }, label);
  let armed = false;
  button.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      button.textContent = "Confirm";
      setTimeout(() => {
        armed = false;
        button.textContent = label;
      }, 4000);
      return;
    }
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      button.disabled = false;
      button.textContent = label;
      button.title = error.message;
      button.after(el("span", { class: "field-error", role: "alert" }, error.message));
    }
  });
  return button;
}
