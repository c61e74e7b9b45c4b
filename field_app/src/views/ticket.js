/**
 * One ticket: customer, deadlines, documents with 容缺 items, the stages, the scheme and its options,
 * and what the customer manager can do next. Every action is an op in the queue: it shows at once as
 * "待同步" and reaches the server on the next sync.
 */
import { html, useEffect, useRef, useState } from '../ui.js';
import { enqueue, localTicket } from '../queue.js';
import { getPath } from '../paths.js';
import { reference } from '../session.js';
import { COMMANDS, DOC_STATUS, OP_TYPES, beijing, label } from '../words.js';
import { SchemeCard } from './scheme.js';
import { getMeta, setMeta } from '../db.js';
import { schemeOnDevice } from '../scheme/device.js';

/** The scheme built here and now, offline; kept beside the queued propose_scheme until the server's arrives. */
async function proposeOnDevice(db, ticket) {
  try {
    const start = performance.now();
    const scheme = await schemeOnDevice(db, ticket);
    performance.measure('scheme-build', { start, end: performance.now() });      // read by make bench
    await setMeta(db, `scheme:${ticket.id}`, { scheme, built_at: new Date().toISOString() });
  } catch (error) {
    await setMeta(db, `scheme:${ticket.id}`, { error: error.message, built_at: new Date().toISOString() });
  }
}

export function TicketView({ session, ticketId }) {
  const [view, setView] = useState(null);
  const shown = useRef(ticketId);
  shown.current = ticketId;
  const load = async () => {
    const [ticket, ref, local] = await Promise.all([localTicket(session.db, ticketId),
      reference(session.db, session.auth.region), getMeta(session.db, `scheme:${ticketId}`)]);
    if (shown.current === ticketId) setView({ ticket, ...ref, local });     // a later ticket may be on screen
  };
  useEffect(() => {
    setView(null);                 // never act on the previous ticket's screen
    load();
    return session.syncer.subscribe((state) => { if (state.name === 'idle') load(); });
  }, [ticketId]);
  if (!view) return html`<p>正在读取…</p>`;
  if (!view.ticket) return html`<p class="error">本机没有这张工单（${ticketId}）。</p>`;
  const act = async (command, args = {}) => {
    if (command === 'propose_scheme') await proposeOnDevice(session.db, view.ticket);
    await enqueue(session.db, 'ticket.command', ticketId, { command, args });
    await load();
    if (navigator.onLine) session.syncer.run();
  };
  const { ticket, labels, pack } = view;
  return html`<article id="ticket" class="ticket">
    <h1>${ticket.customer && ticket.customer.name}</h1>
    <p class="meta">${ticket.number ? `No.${ticket.number} · ` : ''}${ticket.id}</p>
    <p><span class="stage">${ticket.stage ? label(labels, 'stages', ticket.stage) : '待同步（服务器尚未收到）'}</span>
      ${pack && pack.business_types[ticket.business_type] ? ` · ${pack.business_types[ticket.business_type].label}` : ''}</p>
    ${ticket.has_conflict && html`<p class="warning" id="conflict">此工单有修改冲突：双方的值都已保留，由后台决定采用哪一个。</p>`}
    <${Deadlines} ticket=${ticket} labels=${labels} />
    <${Customer} ticket=${ticket} labels=${labels} />
    <${ContactEdit} session=${session} ticket=${ticket} reload=${load} />
    <${Documents} ticket=${ticket} pack=${pack} />
    <${Stages} ticket=${ticket} labels=${labels} />
    <${SchemeCard} session=${session} ticket=${ticket} local=${view.local} labels=${labels} act=${act} />
    <${Actions} ticket=${ticket} act=${act} />
    <${Pending} ticket=${ticket} />
  </article>`;
}

function Deadlines({ ticket, labels }) {
  const deadlines = ticket.deadlines || {};
  const rows = ['stage', 'process'].map((key) => deadlines[key]).filter(Boolean);
  if (!rows.length) return null;
  return html`<dl id="deadlines" class="facts">${rows.map((d) => html`
    <dt>${label(labels, 'stages', d.stage)}时限</dt>
    <dd class=${Date.parse(d.due_at) < Date.now() ? 'overdue' : ''}>${beijing(d.due_at)}（北京时间，${d.limit_days} 个${d.days_unit === 'working' ? '工作日' : '自然日'}）</dd>`)}
  </dl>`;
}

function Customer({ ticket, labels }) {
  const customer = ticket.customer || {};
  const capacity = ticket.capacity_kva ? `${ticket.capacity_kva} 千伏安` : `${ticket.capacity_kw} 千瓦`;
  return html`<dl class="facts">
    <dt>电话</dt><dd><a href=${`tel:${customer.phone}`}>${customer.phone}</a></dd>
    <dt>证件</dt><dd>${label(labels, 'id_kinds', customer.id_kind)} ${customer.id_number || ''}</dd>
    <dt>地址</dt><dd>${ticket.address || ''}</dd>
    <dt>用电容量</dt><dd>${capacity}${ticket.phase === 1 ? '（单相）' : ''}</dd>
    <dt>客户类别</dt><dd>${label(labels, 'customer_classes', ticket.customer_class)}</dd>
  </dl>`;
}

const EDITABLE = [['customer.phone', '联系电话', 'tel'], ['address', '用电地址', 'text']];

/** Changes to what the customer told us, each carrying the value it replaces (merge by field). */
function ContactEdit({ session, ticket, reload }) {
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState({});
  if (!open) return html`<button class="secondary" id="edit-contact" onClick=${() => setOpen(true)}>修改联系方式</button>`;
  const save = async (event) => {
    event.preventDefault();
    const changes = Object.fromEntries(Object.entries(values)
      .filter(([path, value]) => value.trim() !== (getPath(ticket, path) || ''))
      .map(([path, value]) => [path, { base: getPath(ticket, path) ?? null, value: value.trim() }]));
    if (Object.keys(changes).length) {
      await enqueue(session.db, 'ticket.update', ticket.id, { changes, ...(ticket.version ? { base_version: ticket.version } : {}) });
      if (navigator.onLine) session.syncer.run();
    }
    setOpen(false);
    reload();
  };
  return html`<form id="contact-form" onSubmit=${save}>
    ${EDITABLE.map(([path, name, type]) => html`<label>${name}<input name=${path} type=${type}
      value=${values[path] ?? getPath(ticket, path) ?? ''} onInput=${(e) => setValues({ ...values, [path]: e.target.value })} /></label>`)}
    <button type="submit" id="save-contact">保存</button>
    <button type="button" class="secondary" onClick=${() => setOpen(false)}>取消</button>
  </form>`;
}

function Documents({ ticket, pack }) {
  const docs = ticket.documents || [];
  if (!docs.length) return null;
  return html`<section><h2>申请资料</h2><ul id="documents" class="documents">
    ${docs.map((doc) => html`<li class=${doc.status}>
      ${(pack && pack.documents[doc.kind] && pack.documents[doc.kind].label) || doc.kind}：${DOC_STATUS[doc.status] || doc.status}
      ${doc.status === 'missing' && doc.promised_date ? html` <span class="badge">容缺，承诺 ${doc.promised_date} 前补交</span>` : ''}
      ${doc.blob ? ' · 已拍照' : ''}</li>`)}
  </ul></section>`;
}

function Stages({ ticket, labels }) {
  const planned = ticket.planned_stages || [];
  if (!planned.length) return null;
  const at = planned.indexOf(ticket.stage);
  return html`<section><h2>办理环节</h2><ol id="timeline" class="timeline">
    ${planned.map((stage, i) => html`<li class=${i < at || ticket.stage === 'completed' ? 'done' : i === at ? 'current' : ''}>
      ${label(labels, 'stages', stage)}${i === at && ticket.stage_started_at ? `（${beijing(ticket.stage_started_at)} 起）` : ''}</li>`)}
  </ol></section>`;
}

const FIELD_ACTIONS = ['complete_acceptance', 'propose_scheme'];

function Actions({ ticket, act }) {
  const [reason, setReason] = useState('');
  if (['completed', 'cancelled'].includes(ticket.stage)) return null;
  const queued = new Set(ticket.pending.filter((op) => op.type === 'ticket.command').map((op) => op.command));
  return html`<section class="actions"><h2>办理</h2>
    ${FIELD_ACTIONS.filter((c) => c !== 'propose_scheme' || !(ticket.scheme && ticket.scheme.signed_at)).map((command) => html`
      <button id=${`do-${command}`} disabled=${queued.has(command)} onClick=${() => act(command)}>
        ${COMMANDS[command]}${queued.has(command) ? '（待同步）' : ''}</button>`)}
    <form class="cancel" onSubmit=${(e) => { e.preventDefault(); if (reason.trim()) act('cancel', { reason: reason.trim() }); }}>
      <input name="reason" placeholder="撤销原因" value=${reason} onInput=${(e) => setReason(e.target.value)} />
      <button class="danger" type="submit" disabled=${!reason.trim() || queued.has('cancel')}>${COMMANDS.cancel}</button>
    </form>
  </section>`;
}

function Pending({ ticket }) {
  if (!ticket.pending.length) return null;
  return html`<section><h2>待同步</h2><ul id="pending" class="pending">
    ${ticket.pending.map((op) => html`<li>${op.type === 'ticket.command' ? COMMANDS[op.command] || op.command : OP_TYPES[op.type]}</li>`)}
  </ul></section>`;
}
