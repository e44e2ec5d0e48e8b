// @ts-check
/* global fetch */

/** The emulator's control API (same origin as the page). */
export class ApiError extends Error {
  /** @param {string} message @param {number} status */
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/**
 * @param {string} path under /control
 * @param {unknown} [body] POSTed as JSON when given
 * @returns {Promise<any>}
 */
export async function control(path, body) {
  const res = await fetch(`/control${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(data.error ?? `${res.status} ${res.statusText}`, res.status);
  return data;
}
