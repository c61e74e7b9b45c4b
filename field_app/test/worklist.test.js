import { test } from 'node:test';
import assert from 'node:assert/strict';
import { urgency, worklist } from '../src/tickets.js';
import { draftProblems, emptyDraft, ticketData } from '../src/application.js';

const NOW = Date.parse('2026-11-28T08:00:00Z');
const due = (iso) => ({ deadlines: { stage: { due_at: iso } } });

test('overdue first, then due within a day, then the rest by due time; closed and unsynced last', () => {
  const tickets = [
    { id: 'later', stage: 'accepted', ...due('2026-12-05T00:00:00Z') },
    { id: 'closed', stage: 'completed', ...due('2026-11-01T00:00:00Z') },
    { id: 'soon', stage: 'accepted', ...due('2026-11-28T20:00:00Z') },
    { id: 'overdue', stage: 'connect', ...due('2026-11-27T00:00:00Z') },
    { id: 'new', stage: null },
    { id: 'sooner', stage: 'accepted', ...due('2026-11-28T10:00:00Z') },
  ];
  assert.deepEqual(worklist(tickets, '', NOW).map((row) => row.ticket.id), ['overdue', 'sooner', 'soon', 'later', 'new', 'closed']);
  assert.equal(urgency(tickets[3], NOW).level, 'overdue');
});

test('search matches every word in name, phone, number, id or address', () => {
  const tickets = [
    { id: 'T-1', number: 17, customer: { name: '常州五金厂', phone: '13800000001' }, address: '天宁区青洋北路' },
    { id: 'T-2', number: 18, customer: { name: '王小明', phone: '13900000002' }, address: '钟楼区' },
  ];
  assert.deepEqual(worklist(tickets, '五金 青洋', NOW).map((r) => r.ticket.id), ['T-1']);
  assert.deepEqual(worklist(tickets, '1390', NOW).map((r) => r.ticket.id), ['T-2']);
  assert.deepEqual(worklist(tickets, '18', NOW).map((r) => r.ticket.id), ['T-2']);
});

const PACK = {
  year: 2021, zone_required: true, zones: [{ zone: 'main_city', label: '主城' }, { zone: 'other', label: '其他' }],
  documents: { subject_proof: { label: '主体证明', waivable: false }, property_proof: { label: '产权证明', waivable: true } },
  business_types: { lv_nonresident_new: { label: '低压非居民新装', voltage: 'lv', documents: ['subject_proof', 'property_proof'] },
    hv_new: { label: '高压新装', voltage: 'hv', documents: ['subject_proof'] } },
};

test('an application is checked at the door as the server would check it', () => {
  const draft = { ...emptyDraft(PACK), business_type: 'lv_nonresident_new', capacity: '0', name: ' ', phone: '12',
    documents: { property_proof: { status: 'missing' }, subject_proof: { status: 'missing' } } };
  assert.deepEqual(Object.keys(draftProblems(PACK, draft)).sort(),
    ['capacity', 'doc.property_proof', 'doc.subject_proof', 'location', 'name', 'phone', 'zone']);
});

test('a checked draft becomes the ticket.create data: kVA for HV, phase for LV, 容缺 with its promised date', () => {
  const base = { ...emptyDraft(PACK), capacity: '630', name: '某厂', phone: '13800000000', lon: '106.55', lat: '29.56',
    zone: 'other' };
  const hv = ticketData(PACK, { ...base, business_type: 'hv_new' }, 'chongqing');
  assert.equal(hv.capacity_kva, 630);
  assert.equal(hv.phase, undefined);
  assert.equal(hv.policy_year, 2021);
  const lv = ticketData(PACK, { ...base, business_type: 'lv_nonresident_new', capacity: '50',
    documents: { property_proof: { status: 'missing', promised_date: '2026-12-15' } } }, 'chongqing');
  assert.equal(lv.capacity_kw, 50);
  assert.equal(lv.phase, 3);
  assert.deepEqual(lv.documents[1], { kind: 'property_proof', status: 'missing', blob: null, promised_date: '2026-12-15' });
  assert.deepEqual(draftProblems(PACK, { ...base, business_type: 'lv_nonresident_new', capacity: '50',
    documents: { property_proof: { status: 'missing', promised_date: '2026-12-15' } } }), {});
});
