// Building the page from data. Every string from the API goes in as text (textContent or an
// attribute value), never as HTML: user ids, features, reasons and rule ids cannot inject markup.

/** An element: `el("td", {class: "num", title: "…"}, "text", child, …)`. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

/** Appends children: nodes as they are, strings and numbers as text, arrays flattened. */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces everything inside `node`. */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A panel with a heading. */
export function panel(title, ...children) {
  return el("section", { class: "panel" }, title ? el("h2", {}, title) : null, ...children);
}

/** What to do when there is nothing to show yet. */
export function emptyState(title, ...lines) {
  return el("div", { class: "empty", role: "status" }, el("strong", {}, title), ...lines.map((line) => el("p", {}, line)));
}

/** A message about a failed request, naming what the server said. */
export function errorBox(error) {
  return el("div", { class: "error", role: "alert" }, error.message || String(error));
}

/** `code` text inline. */
export function code(text) {
  return el("code", {}, text);
}
