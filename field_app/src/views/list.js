/** The team's tickets, overdue and due-soon first, searchable by name, phone, number or address. */
import { html, useEffect, useState } from '../ui.js';
import { unsyncedCreations } from '../queue.js';
import { reference } from '../session.js';
import { worklist } from '../tickets.js';
import { beijing, label } from '../words.js';

export const PAGE_ROWS = 100;
const URGENCY = { overdue: '已超期', soon: '即将到期', ok: '', none: '', closed: '' };

export function ListView({ session }) {
  const [tickets, setTickets] = useState(null);
  const [labels, setLabels] = useState(null);
  const [query, setQuery] = useState('');
  const [shown, setShown] = useState(PAGE_ROWS);
  useEffect(() => {
    const load = async () => {
      const [pulled, created, ref] = await Promise.all([session.db.getAll('rows'), unsyncedCreations(session.db),
        reference(session.db, session.auth.region)]);
      const known = new Set(pulled.map((t) => t.id));
      setTickets([...created.filter((t) => !known.has(t.id)), ...pulled]);
      setLabels(ref.labels);
    };
    load();
    return session.syncer.subscribe((state) => { if (state.name === 'idle') load(); });
  }, []);
  useEffect(() => {
    if (tickets !== null && !performance.getEntriesByName('worklist-shown').length) performance.mark('worklist-shown');
  }, [tickets]);
  if (tickets === null) return html`<p>正在读取本机数据…</p>`;
  const rows = worklist(tickets, query);
  return html`<section>
    <div class="toolbar">
      <input id="search" type="search" placeholder="搜索客户、电话、编号、地址" value=${query}
        onInput=${(e) => setQuery(e.target.value)} />
      <a id="new-ticket" class="button" href="#/new">新建申请</a>
    </div>
    <p class="count">${rows.length} 张工单</p>
    <ul id="tickets" class="tickets">
      ${rows.slice(0, shown).map(({ ticket, urgency }) => html`<li key=${ticket.id} class=${urgency.level}>
        <a href=${`#/ticket/${encodeURIComponent(ticket.id)}`}>
          <strong>${(ticket.customer && ticket.customer.name) || ticket.id}</strong>
          <span class="stage">${ticket.stage ? label(labels, 'stages', ticket.stage) : '待同步'}</span>
          ${URGENCY[urgency.level] && html`<span class="badge">${URGENCY[urgency.level]}</span>`}
          <small>${ticket.number ? `No.${ticket.number} · ` : ''}${ticket.address || ''}
            ${ticket.deadlines && ticket.deadlines.stage ? ` · 时限 ${beijing(ticket.deadlines.stage.due_at)}` : ''}</small>
        </a></li>`)}
    </ul>
    ${rows.length > shown && html`<button id="more" class="secondary" onClick=${() => setShown(shown + PAGE_ROWS)}>
      显示更多（还有 ${rows.length - shown} 张）</button>`}
  </section>`;
}
