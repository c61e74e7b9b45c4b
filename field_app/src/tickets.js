/**
 * The team's work list: overdue first, then by how soon the current stage is due (docs/DOMAIN.md,
 * stage time limits); tickets not yet on the server and those without a running limit come last.
 */
export const DUE_SOON_HOURS = 24;
const CLOSED = new Set(['completed', 'cancelled']);

export function urgency(ticket, now = Date.now()) {
  const due = ticket.deadlines && ticket.deadlines.stage && ticket.deadlines.stage.due_at;
  if (CLOSED.has(ticket.stage)) return { level: 'closed', dueMs: Infinity };
  if (!due) return { level: 'none', dueMs: Infinity };
  const dueMs = Date.parse(due);
  if (dueMs < now) return { level: 'overdue', dueMs };
  return { level: dueMs - now < DUE_SOON_HOURS * 3600 * 1000 ? 'soon' : 'ok', dueMs };
}

const RANK = { overdue: 0, soon: 1, ok: 2, none: 3, closed: 4 };

export function worklist(tickets, query = '', now = Date.now()) {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (t) => words.every((word) => haystack(t).includes(word));
  return tickets.filter(matches)
    .map((ticket) => ({ ticket, urgency: urgency(ticket, now) }))
    .sort((a, b) => RANK[a.urgency.level] - RANK[b.urgency.level] || a.urgency.dueMs - b.urgency.dueMs
      || String(a.ticket.id).localeCompare(String(b.ticket.id)));
}

function haystack(ticket) {
  const customer = ticket.customer || {};
  return [ticket.id, ticket.number, customer.name, customer.phone, ticket.address]
    .filter((v) => v != null).join(' ').toLowerCase();
}
