/**
 * A new application taken on site (免填单): what the customer says and the documents photographed
 * become a `ticket.create` op (docs/SYNC_PROTOCOL.md, "The ticket record"). The required fields and
 * the document list come from the region's policy pack pulled as reference data; the checks here are
 * the server's, run early so the customer manager fixes them at the door, not after sync.
 */
export const PHONE = /^\+?[0-9 -]{5,20}$/;

export function emptyDraft(pack) {
  const zones = (pack && pack.zones) || [];
  return { business_type: '', customer_class: 'non_resident', capacity: '', phase: 3, reliability_class: 'ordinary',
    name: '', phone: '', id_kind: 'business_license', id_number: '', address: '', lon: '', lat: '',
    zone: zones.length === 1 ? zones[0].zone : '', documents: {} };
}

export function businessVoltage(pack, businessType) {
  const type = pack && pack.business_types[businessType];
  return type ? type.voltage : null;
}

/** The documents this business type asks for, each with what the draft says of it. */
export function documentRows(pack, draft) {
  const type = pack && pack.business_types[draft.business_type];
  return (type ? type.documents : []).map((kind) => ({
    kind, label: pack.documents[kind] ? pack.documents[kind].label : kind,
    waivable: Boolean(pack.documents[kind] && pack.documents[kind].waivable),
    ...{ status: 'received', promised_date: '', blob: null, ...(draft.documents[kind] || {}) },
  }));
}

/** Field → Chinese message for every problem the server would also refuse; empty when fine. */
export function draftProblems(pack, draft) {
  const problems = {};
  const number = (v) => Number.isFinite(Number(v)) && String(v).trim() !== '';
  if (!pack) problems.business_type = '本机还没有本地区的政策数据，请先联网同步一次';
  else if (!pack.business_types[draft.business_type]) problems.business_type = '请选择业务类型';
  if (!(number(draft.capacity) && Number(draft.capacity) > 0)) problems.capacity = '请填写大于 0 的用电容量';
  if (!draft.name.trim()) problems.name = '请填写客户名称';
  if (!PHONE.test(draft.phone.trim())) problems.phone = '请填写正确的联系电话';
  if (!(number(draft.lon) && Math.abs(Number(draft.lon)) <= 180 && number(draft.lat) && Math.abs(Number(draft.lat)) <= 90)) {
    problems.location = '请定位或填写经纬度';
  }
  if (pack && pack.zone_required && !draft.zone) problems.zone = '请选择所在区域';
  for (const doc of documentRows(pack, draft)) {
    if (doc.status === 'missing' && !doc.waivable) problems[`doc.${doc.kind}`] = `${doc.label}不可容缺，须现场收取`;
    if (doc.status === 'missing' && doc.waivable && !doc.promised_date) problems[`doc.${doc.kind}`] = `请填写${doc.label}的承诺补交日期`;
  }
  return problems;
}

/** The `ticket.create` data of a checked draft. */
export function ticketData(pack, draft, region) {
  const capacityField = businessVoltage(pack, draft.business_type) === 'hv' ? 'capacity_kva' : 'capacity_kw';
  const data = {
    business_type: draft.business_type, customer_class: draft.customer_class, region, policy_year: pack.year,
    [capacityField]: Number(draft.capacity), reliability_class: draft.reliability_class,
    customer: { name: draft.name.trim(), phone: draft.phone.trim(), id_kind: draft.id_kind, id_number: draft.id_number.trim() || null },
    address: draft.address.trim(), location: { lon: Number(draft.lon), lat: Number(draft.lat) },
    documents: documentRows(pack, draft).map((doc) => ({ kind: doc.kind, status: doc.status, blob: doc.blob,
      ...(doc.status === 'missing' ? { promised_date: doc.promised_date } : {}) })),
  };
  if (capacityField === 'capacity_kw') data.phase = Number(draft.phase);
  if (draft.zone) data.zone = draft.zone;
  return data;
}
