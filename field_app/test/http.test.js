import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Http, Problem, Unauthorized, Unreachable } from '../src/http.js';

/** A transport answering from a script of responses (or throwing, for no network). */
function transport(script) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, init });
    const next = script.shift();
    if (next instanceof Error) throw next;
    return new Response(next.body === undefined ? null : JSON.stringify(next.body),
      { status: next.status, headers: next.headers || {} });
  };
  return { calls, fetchImpl };
}

test('503 with Retry-After waits that long, then succeeds', async () => {
  const { calls, fetchImpl } = transport([{ status: 503, headers: { 'Retry-After': '3' } }, { status: 200, body: { ok: 1 } }]);
  const waits = [];
  const http = new Http({ fetchImpl, sleep: async (ms) => waits.push(ms), random: () => 0, token: 't' });
  const response = await http.request('GET', '/sync/info');
  assert.deepEqual(await response.json(), { ok: 1 });
  assert.deepEqual(waits, [3000]);
  assert.equal(calls[0].init.headers.Authorization, 'Bearer t');
});

test('no network: backoff grows with full jitter, then Unreachable', async () => {
  const { fetchImpl } = transport([new TypeError('offline'), new TypeError('offline'), new TypeError('offline')]);
  const waits = [];
  const http = new Http({ fetchImpl, attempts: 3, baseDelayMs: 100, sleep: async (ms) => waits.push(ms), random: () => 1 });
  await assert.rejects(http.request('POST', '/sync/push', { json: {} }), Unreachable);
  assert.deepEqual(waits, [100, 200]);
});

test('401 is Unauthorized, another 4xx a Problem with the server body; neither retried', async () => {
  const { calls, fetchImpl } = transport([{ status: 401, body: { title: 'Unauthorized', status: 401 } },
    { status: 422, body: { type: 'x/validation-error', status: 422, errors: { since: ['bad'] } } }]);
  const http = new Http({ fetchImpl, sleep: async () => {} });
  await assert.rejects(http.request('GET', '/sync/pull'), Unauthorized);
  await assert.rejects(http.request('GET', '/sync/pull'), (error) => error instanceof Problem
    && !(error instanceof Unauthorized) && error.problem.errors.since[0] === 'bad');
  assert.equal(calls.length, 2);
});
