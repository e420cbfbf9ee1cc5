// The API client: the key from sessionStorage as a Bearer header, JSON in and out, and
// errors that carry the server's code, message, field and policy problems.

const STORAGE = "bursar.key";

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body?.error ?? {};
    super(detail.message || `the server answered ${status}`);
    this.status = status;
    this.code = detail.code;
    this.field = detail.field;
    this.problems = body?.problems ?? [];
  }
}

export const session = {
  get key() {
    return sessionStorage.getItem(STORAGE);
  },
  set key(value) {
    if (value) sessionStorage.setItem(STORAGE, value);
    else sessionStorage.removeItem(STORAGE);
  },
};

async function send(method, path, { body, contentType = "application/json", accept } = {}) {
  const headers = { Authorization: `Bearer ${session.key}` };
  if (accept) headers.Accept = accept;
  if (body !== undefined) headers["Content-Type"] = contentType;
  const payload = body === undefined ? undefined : contentType === "application/json" ? JSON.stringify(body) : body;
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, cache: "no-store" });
  } catch (error) {
    throw new ApiError(0, { error: { message: `Bursar cannot be reached (${error.message})` } });
  }
  if (!response.ok) {
    let parsed = null;
    try {
      parsed = await response.json();
    } catch {
      // Not JSON: the status says enough.
    }
    const error = new ApiError(response.status, parsed);
    if (response.status === 401) window.dispatchEvent(new CustomEvent("bursar:unauthorized", { detail: error }));
    throw error;
  }
  return response;
}

/** Query string from an object, leaving out undefined and null values. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null) search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export const api = {
  async get(path) {
    return (await send("GET", path)).json();
  },
  async text(path) {
    return (await send("GET", path)).text();
  },
  async put(path, body) {
    return (await send("PUT", path, { body })).json();
  },
  async post(path, body, contentType) {
    const response = await send("POST", path, { body, contentType });
    return response.status === 204 ? null : response.json();
  },
  async delete(path) {
    await send("DELETE", path);
  },
};
