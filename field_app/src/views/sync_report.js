/**
 * What sync did: the state and its progress, what waits to be sent, and every op the server refused
 * or found in conflict, with its reason. A conflict keeps both values on the server; the back office
 * sees it in its conflict list and a person decides (docs/SYNC_PROTOCOL.md, principle 4).
 */
import { html, useEffect, useState } from '../ui.js';
import { getMeta, setMeta } from '../db.js';
import { answeredOps, pendingOps } from '../queue.js';
import { COMMANDS, OP_TYPES, RESULT_STATUS, SYNC_STATES, beijing } from '../words.js';

const NEEDS_ATTENTION = new Set(['rejected', 'conflict']);

export function SyncView({ session }) {
  const [view, setView] = useState(null);
  const load = async () => {
    const [pending, answered, lastSync, seen] = await Promise.all([pendingOps(session.db), answeredOps(session.db),
      getMeta(session.db, 'last_sync'), getMeta(session.db, 'seen_seq', 0)]);
    setView({ pending, problems: answered.filter((row) => NEEDS_ATTENTION.has(row.result.status)), lastSync, seen });
  };
  useEffect(() => session.syncer.subscribe(() => load()), []);
  if (!view) return html`<p>正在读取…</p>`;
  const state = session.syncer.state;
  const dismiss = async () => {
    await setMeta(session.db, 'seen_seq', Math.max(0, ...view.problems.map((row) => row.seq)));
    load();
  };
  return html`<section id="sync-report">
    <h1>同步</h1>
    <p>${SYNC_STATES[state.name]}${state.problem ? `：${state.problem.detail || state.problem.title}` : ''}</p>
    ${state.retry && html`<p class="hint">网络不稳定，第 ${state.retry.attempt} 次重试…</p>`}
    <p>上次同步：${view.lastSync ? beijing(view.lastSync) : '尚未同步'} · 待同步 ${view.pending.length} 项</p>
    <h2>需要处理</h2>
    ${view.problems.length === 0 ? html`<p class="hint">没有被拒绝或冲突的操作。</p>` : html`<ul id="problems" class="problems">
      ${view.problems.map((row) => html`<li class=${`${row.result.status} ${row.seq > view.seen ? 'new' : ''}`}>
        <strong>${RESULT_STATUS[row.result.status]}</strong>：${describe(row.op)}
        <a href=${`#/ticket/${encodeURIComponent(row.op.entity_id)}`}>${row.op.entity_id}</a>
        <p>${reason(row.result)}</p></li>`)}
    </ul><button class="secondary" onClick=${dismiss}>全部已阅</button>`}
    <${Conflicts} session=${session} />
    <h2>本机</h2>
    <p class="hint">本机编号 ${session.deviceId} · 用户 ${session.auth.username}
      ${session.auth.expires_at ? ` · 登录有效至 ${beijing(session.auth.expires_at)}` : ''}</p>
  </section>`;
}

function describe(op) {
  return op.type === 'ticket.command' ? (COMMANDS[op.command] || op.command) : OP_TYPES[op.type] || op.type;
}

function reason(result) {
  if (result.status === 'conflict') return '与其他人的修改冲突：双方的值都已保留，后台处理冲突时决定采用哪一个。';
  const error = result.error || {};
  const fields = error.errors ? Object.entries(error.errors).map(([f, m]) => `${f}：${[].concat(m).join('，')}`).join('；') : '';
  return [error.title, error.detail, fields].filter(Boolean).join(' — ');
}

/** Open conflicts on this user's tickets, resolved here when online (or left to the back office). */
function Conflicts({ session }) {
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  const load = async () => {
    try {
      setRows(await (await session.http.request('GET', '/api/conflicts', { })).json());
      setError(null);
    } catch (err) {
      setError('联网后可在此处理冲突；不处理的冲突由后台决定。');
    }
  };
  useEffect(() => { load(); }, []);
  const resolve = async (row, value) => {
    await session.http.request('POST', `/api/conflicts/${row.id}/resolve`, { json: { value } });
    await load();
    session.syncer.run();
  };
  const shown = (rows || []).filter((row) => !row.resolved_at);
  return html`<h2>冲突</h2>
    ${error && html`<p class="hint">${error}</p>`}
    ${rows && shown.length === 0 && html`<p class="hint">没有待处理的冲突。</p>`}
    <ul id="conflicts" class="problems">${shown.map((row) => html`<li>
      <a href=${`#/ticket/${encodeURIComponent(row.ticket_id)}`}>${row.ticket_id}</a> · ${row.path}
      <p>服务器：${JSON.stringify(row.server_value)} · 本机（${row.device_id || ''}）：${JSON.stringify(row.device_value)}</p>
      <button class="secondary" id=${`keep-server-${row.id}`} onClick=${() => resolve(row, row.server_value)}>采用服务器的值</button>
      <button class="secondary" id=${`keep-device-${row.id}`} onClick=${() => resolve(row, row.device_value)}>采用本机的值</button>
    </li>`)}</ul>`;
}
