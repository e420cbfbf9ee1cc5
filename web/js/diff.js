// Line diffs as people read them: removed before added, a few unchanged lines around each
// change and "…" for the rest. Lines are "- text", "+ text" or "  text" (as the server's
// policy diff writes them).

import { el } from "./dom.js";

/**
 * The lines that changed with `context` unchanged lines around them ("…" for the rest), each
 * run of changes with its removed lines before its added ones.
 */
export function changedLines(lines, context = 3) {
  const isChange = (line) => line.startsWith("+") || line.startsWith("-");
  const near = lines.map((_, index) => lines.slice(Math.max(0, index - context), index + context + 1).some(isChange));
  const out = [];
  let run = [];
  const flush = () => {
    out.push(...run.filter((line) => line.startsWith("-")), ...run.filter((line) => line.startsWith("+")));
    run = [];
  };
  lines.forEach((line, index) => {
    if (isChange(line)) {
      run.push(line);
      return;
    }
    flush();
    if (near[index]) out.push(line);
    else if (out[out.length - 1] !== "…") out.push("…");
  });
  flush();
  return out;
}

export function diffView(lines, id = "policy-diff") {
  return el("pre", { class: "diff", id }, changedLines(lines).map((line) =>
    el("span", { class: line.startsWith("+") ? "added" : line.startsWith("-") ? "removed" : line === "…" ? "gap" : "same" }, `${line}\n`)));
}

/** The lines of `after` against `before`, by their longest common subsequence. */
export function lineDiff(before, after) {
  const rows = before.length;
  const columns = after.length;
  // common[i][j]: the longest common subsequence of before[i…] and after[j…].
  const common = Array.from({ length: rows + 1 }, () => new Uint32Array(columns + 1));
  for (let i = rows - 1; i >= 0; i -= 1) {
    for (let j = columns - 1; j >= 0; j -= 1) {
      common[i][j] = before[i] === after[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const lines = [];
  let i = 0;
  let j = 0;
  while (i < rows || j < columns) {
    if (i < rows && j < columns && before[i] === after[j]) {
      lines.push(`  ${before[i]}`);
      i += 1;
      j += 1;
    } else if (j < columns && (i === rows || common[i][j + 1] >= common[i + 1][j])) {
      lines.push(`+ ${after[j]}`);
      j += 1;
    } else {
      lines.push(`- ${before[i]}`);
      i += 1;
    }
  }
  return lines;
}
