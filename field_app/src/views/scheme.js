/**
 * The supply scheme of a ticket and its options side by side (在线比选): connection point, route,
 * voltage drop, cost on both sides, working days. Choosing is an op; signing opens the signature pad;
 * once the server has issued the signed reply, the PDF opens here and stays on the device.
 */
import { html, useState } from '../ui.js';
import { beijing, label, officialSource } from '../words.js';
import { Sketch } from './sketch.js';

const yuan = (n) => (n == null ? '—' : `${Math.round(n).toLocaleString('zh-CN')} 元`);

export function SchemeCard({ session, ticket, local, labels, act }) {
  const proposing = ticket.pending.some((op) => op.command === 'propose_scheme');
  const scheme = shownScheme(ticket, local);
  const onDevice = scheme && scheme !== ticket.scheme;
  if (!scheme) {
    return html`<section id="scheme"><h2>供电方案</h2>
      ${proposing && local && local.error && html`<p class="warning" id="scheme-error">本机无法计算方案：${local.error}</p>`}
      <p class="hint">${proposing ? '已请求生成方案：联网同步后由服务器计算并返回。' : '尚未生成方案。'}</p></section>`;
  }
  const pendingChoice = ticket.pending.find((op) => op.command === 'choose_option');
  const chosen = pendingChoice ? pendingChoice.args.rank : scheme.chosen_option && scheme.chosen_option.rank;
  const signing = ticket.pending.some((op) => op.command === 'sign_scheme');
  const canSign = chosen && !scheme.signed_at && !signing
    && (scheme.decision !== 'cosign' || scheme.cosigned_at);
  return html`<section id="scheme"><h2>供电方案</h2>
    ${onDevice && html`<p class="hint" id="scheme-on-device">本机离线计算（北京时间 ${beijing(local.built_at)}），同步后由服务器按同一方案编号确认。</p>`}
    ${scheme.manual_reason && html`<p class="warning">${scheme.manual_reason}</p>`}
    <p>${label(labels, 'decisions', scheme.decision)} · 供电电压 ${scheme.supply_voltage_kv} 千伏
      ${scheme.valid_until ? ` · 有效期至 ${beijing(scheme.valid_until).slice(0, 10)}` : ''}</p>
    ${(scheme.warnings || []).map((w) => html`<p class="warning">${w}</p>`)}
    <${Sketch} scheme=${scheme} chosen=${chosen} />
    <div class="options">${scheme.options.map((option) => html`
      <${OptionCard} option=${option} labels=${labels} chosen=${chosen === option.rank}
        locked=${Boolean(scheme.signed_at) || signing}
        onChoose=${() => act('choose_option', { rank: option.rank, scheme_hash: scheme.scheme_hash })} />`)}
    </div>
    ${pendingChoice && html`<p class="hint">已选择方案 ${pendingChoice.args.rank}（待同步）</p>`}
    ${scheme.decision === 'cosign' && !scheme.cosigned_at && html`<p class="hint">此方案需后台网上会签后才能由客户签字。</p>`}
    ${canSign && html`<a id="sign" class="button" href=${`#/ticket/${encodeURIComponent(ticket.id)}/sign`}>请客户签字确认</a>`}
    ${signing && html`<p class="hint" id="signed-pending">客户已签字，答复单在同步后由服务器签发。</p>`}
    ${scheme.signed_at && html`<p id="signed">客户 ${scheme.signer_name || ''} 已于 ${beijing(scheme.signed_at)}（北京时间）签字确认。</p>`}
    ${ticket.signed_pdf && html`<${SignedPdf} session=${session} ticket=${ticket} />`}
    <${Explanation} scheme=${scheme} labels=${labels} />
  </section>`;
}

/** Every number the scheme used, with the clause it comes from (方案依据), as on the reply. */
function Explanation({ scheme, labels }) {
  const rows = scheme.explanation || [];
  if (!rows.length) return null;
  return html`<details id="explanation"><summary>方案依据（${rows.length} 条）</summary><ul class="explanation">
    ${rows.map((row) => html`<li><strong>${label(labels, 'rules', row.rule)}</strong>：${shown(row.value)}
      ${row.assumed ? html`<span class="badge">假定</span>` : ''}<small>${officialSource(labels, row.source)}</small></li>`)}
  </ul></details>`;
}

function shown(value) {
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k} ${v}`).join('，');
  return String(value);
}

/** The scheme the customer sees: the one built on this device while its propose_scheme waits to be
 * sent, else the server's. */
export function shownScheme(ticket, local) {
  const proposing = ticket.pending.some((op) => op.command === 'propose_scheme');
  return proposing && local && local.scheme ? local.scheme : ticket.scheme;
}

function OptionCard({ option, labels, chosen, locked, onChoose }) {
  const c = option.connection || {};
  const cost = option.cost_estimate_yuan || {};
  return html`<div class=${`option ${chosen ? 'chosen' : ''}`} id=${`option-${option.rank}`}>
    <h3>方案 ${option.rank}${chosen ? '（已选）' : ''}</h3>
    <dl class="facts">
      <dt>接入点</dt><dd>${label(labels, 'asset_kinds', c.kind)} ${c.asset_id || ''}</dd>
      <dt>线路</dt><dd>${option.conductor || ''} ${option.route_length_m != null ? `${option.route_length_m} 米` : ''}</dd>
      <dt>电压降</dt><dd>${option.voltage_drop_pct != null ? `${option.voltage_drop_pct}%` : '—'}</dd>
      <dt>计量</dt><dd>${label(labels, 'metering', option.metering)}</dd>
      <dt>电网侧造价</dt><dd>${yuan(cost.low)} ～ ${yuan(cost.high)}</dd>
      <dt>客户承担</dt><dd>${yuan(cost.customer_pays)}</dd>
      <dt>工程内容</dt><dd>${(option.works || []).join('；') || '—'}</dd>
    </dl>
    ${!locked && !chosen && html`<button class="secondary" id=${`choose-${option.rank}`} onClick=${onChoose}>选择此方案</button>`}
  </div>`;
}

function SignedPdf({ session, ticket }) {
  const [url, setUrl] = useState(null);
  const [error, setError] = useState(null);
  const fetchPdf = async () => {
    try {
      setUrl(URL.createObjectURL(await session.syncer.signedPdf(ticket)));
    } catch (err) {
      setError('答复单尚未下载到本机，请联网后再试。');
    }
  };
  if (url) return html`<a id="open-pdf" class="button" href=${url} target="_blank" download=${`供电方案答复单-${ticket.id}.pdf`}>打开答复单 PDF</a>`;
  return html`<button id="get-pdf" onClick=${fetchPdf}>获取已签发的答复单</button>${error && html`<p class="error">${error}</p>`}`;
}
