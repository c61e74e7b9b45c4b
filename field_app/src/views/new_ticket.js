/**
 * Taking an application at the customer's door. Every keystroke is kept on the device as a draft,
 * so a closed tab or a flat battery loses nothing; photos of documents are kept as blobs and uploaded,
 * resumably, on the next sync.
 */
import { html, useEffect, useState } from '../ui.js';
import { getMeta, setMeta } from '../db.js';
import { keepBlob } from '../blobs.js';
import { enqueue, newId } from '../queue.js';
import { currentPlace } from '../place.js';
import { reference } from '../session.js';
import { businessVoltage, documentRows, draftProblems, emptyDraft, ticketData } from '../application.js';
import { go } from '../nav.js';
import { DOC_STATUS } from '../words.js';

const DRAFT = 'draft:new-ticket';

export function NewTicketView({ session }) {
  const [ref, setRef] = useState(null);
  const [draft, setDraft] = useState(null);
  const [problems, setProblems] = useState({});
  const [locating, setLocating] = useState(false);
  useEffect(() => {
    (async () => {
      const loaded = await reference(session.db, session.auth.region);
      setRef(loaded);
      setDraft((await getMeta(session.db, DRAFT)) || emptyDraft(loaded.pack));
    })();
  }, []);
  if (!draft) return html`<p>正在读取…</p>`;
  const { pack, labels } = ref;
  const update = (changes) => {
    const next = { ...draft, ...changes };
    setDraft(next);
    setMeta(session.db, DRAFT, next);
  };
  const updateDoc = (kind, changes) => update({ documents: { ...draft.documents, [kind]: { ...(draft.documents[kind] || {}), ...changes } } });
  const field = (name) => ({ name, value: draft[name], onInput: (e) => update({ [name]: e.target.value }) });
  const locate = async () => {
    setLocating(true);
    const place = await currentPlace();
    setLocating(false);
    if (place) update({ lon: String(place.lon), lat: String(place.lat) });
    else setProblems({ ...problems, location: '无法定位，请手动填写经纬度' });
  };
  const photograph = async (kind, file) => {
    if (!file) return;
    const blob = await keepBlob(session.db, new Uint8Array(await file.arrayBuffer()), file.type || 'image/jpeg');
    updateDoc(kind, { blob, status: 'received' });
  };
  const submit = async (event) => {
    event.preventDefault();
    const found = draftProblems(pack, draft);
    setProblems(found);
    if (Object.keys(found).length) return;
    const ticketId = `T-${newId()}`;
    await enqueue(session.db, 'ticket.create', ticketId, { data: ticketData(pack, draft, session.auth.region) });
    await setMeta(session.db, DRAFT, null);
    if (navigator.onLine) session.syncer.run();
    go(`#/ticket/${encodeURIComponent(ticketId)}`);
  };
  const voltage = businessVoltage(pack, draft.business_type);
  const generator = pack?.business_types[draft.business_type]?.nature === 'generation';   // its capacity is generation
  const problem = (name) => problems[name] && html`<span class="error" role="alert">${problems[name]}</span>`;
  return html`<form id="new-ticket-form" class="form" onSubmit=${submit} novalidate>
    <h1>新建用电申请</h1>
    <p class="hint">${pack ? `${pack.title}` : '本机还没有本地区的政策数据，请先联网同步。'}</p>
    <label>业务类型<select ...${field('business_type')} onChange=${(e) => update({ business_type: e.target.value })}>
      <option value="">请选择</option>
      ${pack && Object.entries(pack.business_types).map(([code, type]) => html`<option value=${code}>${type.label}</option>`)}
    </select>${problem('business_type')}</label>
    <label>客户类别<select ...${field('customer_class')} onChange=${(e) => update({ customer_class: e.target.value })}>
      ${Object.entries((labels && labels.customer_classes) || {}).map(([code, name]) => html`<option value=${code}>${name}</option>`)}
    </select></label>
    ${pack && pack.zones.length > 1 && html`<label>所在区域<select ...${field('zone')} onChange=${(e) => update({ zone: e.target.value })}>
      <option value="">请选择</option>${pack.zones.map((z) => html`<option value=${z.zone}>${z.label}</option>`)}
    </select>${problem('zone')}</label>`}
    <label>${generator ? '装机容量' : '用电容量'}（${voltage === 'hv' ? '千伏安' : '千瓦'}）<input inputmode="decimal" ...${field('capacity')} />${problem('capacity')}</label>
    ${voltage !== 'hv' && html`<label>相数<select ...${field('phase')} onChange=${(e) => update({ phase: e.target.value })}>
      <option value="3">三相</option><option value="1">单相</option></select></label>`}
    <label>客户名称<input ...${field('name')} />${problem('name')}</label>
    <label>联系电话<input type="tel" inputmode="tel" ...${field('phone')} />${problem('phone')}</label>
    <label>证件类型<select ...${field('id_kind')} onChange=${(e) => update({ id_kind: e.target.value })}>
      ${Object.entries((labels && labels.id_kinds) || {}).map(([code, name]) => html`<option value=${code}>${name}</option>`)}
    </select></label>
    <label>证件号码<input ...${field('id_number')} /></label>
    <label>用电地址<input ...${field('address')} /></label>
    <fieldset><legend>位置</legend>
      <button type="button" class="secondary" id="locate" onClick=${locate} disabled=${locating}>${locating ? '正在定位…' : '获取当前位置'}</button>
      <label>经度<input inputmode="decimal" ...${field('lon')} /></label>
      <label>纬度<input inputmode="decimal" ...${field('lat')} /></label>
      ${problem('location')}
    </fieldset>
    <fieldset id="documents"><legend>申请资料</legend>
      ${documentRows(pack, draft).map((doc) => html`<div class="document">
        <strong>${doc.label}</strong>
        <select name=${`doc-${doc.kind}`} value=${doc.status} onChange=${(e) => updateDoc(doc.kind, { status: e.target.value })}>
          <option value="received">${DOC_STATUS.received}</option>
          ${doc.waivable && html`<option value="missing">容缺（承诺补交）</option>`}
        </select>
        ${doc.status === 'missing' && html`<label>承诺补交日期<input type="date" value=${doc.promised_date}
          onInput=${(e) => updateDoc(doc.kind, { promised_date: e.target.value })} /></label>`}
        <label class="photo">${doc.blob ? '已拍照，重拍' : '拍照'}<input type="file" accept="image/*" capture="environment"
          onChange=${(e) => photograph(doc.kind, e.target.files[0])} /></label>
        ${problem(`doc.${doc.kind}`)}
      </div>`)}
      ${!draft.business_type && html`<p class="hint">选择业务类型后显示需要的资料。</p>`}
    </fieldset>
    <div class="row">
      <button type="button" class="secondary" onClick=${() => { update(emptyDraft(pack)); setProblems({}); }}>清空</button>
      <button type="submit" id="submit-ticket">提交申请</button>
    </div>
  </form>`;
}
