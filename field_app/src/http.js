/**
 * One HTTP call to the server with the protocol's manners (docs/SYNC_PROTOCOL.md, "Errors"): network
 * failures, 5xx, 429 and 503 are retried with exponential backoff and full jitter, `Retry-After`
 * honoured; a 401 is `Unauthorized` (log in again, the queue is kept); any other 4xx is a `Problem`
 * carrying the server's problem+json body.
 */
export const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

export class Problem extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.problem = problem;
  }
}

export class Unauthorized extends Problem {}

/** No answer after every attempt: the device is offline or the server unreachable. */
export class Unreachable extends Error {}

export class Http {
  constructor({ baseUrl = '', token = null, fetchImpl = (...a) => fetch(...a), sleep = defaultSleep,
    attempts = 5, baseDelayMs = 500, maxDelayMs = 30000, random = Math.random } = {}) {
    Object.assign(this, { baseUrl, token, fetchImpl, sleep, attempts, baseDelayMs, maxDelayMs, random });
  }

  async request(method, path, { json, body, headers = {}, auth = true, onRetry } = {}) {
    const init = { method, headers: { ...headers } };
    if (auth && this.token) init.headers.Authorization = `Bearer ${this.token}`;
    if (json !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(json);
    } else if (body !== undefined) init.body = body;
    for (let attempt = 0; ; attempt += 1) {
      let response = null;
      try {
        response = await this.fetchImpl(this.baseUrl + path, init);
      } catch (error) {
        response = null;
      }
      if (response && !RETRY_STATUSES.has(response.status)) return checked(response);
      if (attempt + 1 >= this.attempts) {
        if (response) return checked(response);
        throw new Unreachable(`${method} ${path}: no answer after ${this.attempts} attempts`);
      }
      const wait = this.delay(attempt, response);
      if (onRetry) onRetry({ attempt: attempt + 1, waitMs: wait, status: response && response.status });
      await this.sleep(wait);
    }
  }

  /** Full jitter: a random wait up to base·2^attempt (capped); Retry-After when the server gives one. */
  delay(attempt, response) {
    const retryAfter = response && response.headers.get('Retry-After');
    if (retryAfter && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000 + this.random() * this.baseDelayMs;
    return this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
  }
}

async function checked(response) {
  if (response.status < 400) return response;
  let problem;
  try {
    problem = await response.json();
  } catch (error) {
    problem = { status: response.status, title: response.statusText };
  }
  throw new (response.status === 401 ? Unauthorized : Problem)(problem);
}

function defaultSleep(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}
