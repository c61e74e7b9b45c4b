/**
 * The customer signs the chosen scheme on the screen. `signature_pad` captures the strokes; they are
 * kept on the device as a blob and the `sign_scheme` op names it, so the signature survives a restart
 * and reaches the server on the next sync, blob first.
 */
import SignaturePad from 'signature_pad';
import { html, useEffect, useRef, useState } from '../ui.js';
import { keepBlob } from '../blobs.js';
import { enqueue, localTicket } from '../queue.js';
import { currentPlace } from '../place.js';
import { strokesBytes, strokesProblem, toStrokes } from '../strokes.js';
import { go } from '../nav.js';
import { getMeta } from '../db.js';
import { shownScheme } from './scheme.js';

export function SignView({ session, ticketId }) {
  const canvas = useRef(null);
  const pad = useRef(null);
  const [ticket, setTicket] = useState(null);
  const [scheme, setScheme] = useState(null);
  const [signer, setSigner] = useState('');
  const [error, setError] = useState(null);
  useEffect(() => {
    (async () => {
      const [t, local] = await Promise.all([localTicket(session.db, ticketId), getMeta(session.db, `scheme:${ticketId}`)]);
      setTicket(t);
      setScheme(t && shownScheme(t, local));
      setSigner((t && t.customer && t.customer.name) || '');
    })();
  }, [ticketId]);
  useEffect(() => {
    if (!canvas.current) return undefined;
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const box = canvas.current.getBoundingClientRect();
    canvas.current.width = box.width * ratio;
    canvas.current.height = box.height * ratio;
    canvas.current.getContext('2d').scale(ratio, ratio);
    pad.current = new SignaturePad(canvas.current, { minWidth: 1, maxWidth: 3, penColor: '#000' });
    return () => pad.current.off();
  }, [ticket]);
  if (!ticket) return html`<p>正在读取…</p>`;
  if (!scheme) return html`<p class="error">这张工单还没有供电方案。</p>`;
  const confirm = async () => {
    const box = canvas.current.getBoundingClientRect();
    const strokes = toStrokes(pad.current.toData(), box.width, box.height);
    const problem = strokesProblem(strokes) || (!signer.trim() && '请填写签字人姓名');
    if (problem) { setError(problem); return; }
    const blob = await keepBlob(session.db, strokesBytes(strokes), 'application/json');
    const gps = await currentPlace(3000);
    await enqueue(session.db, 'ticket.command', ticketId, { command: 'sign_scheme',
      args: { scheme_hash: scheme.scheme_hash, signature_blob: blob, signer_name: signer.trim(), ...(gps ? { gps } : {}) } });
    if (navigator.onLine) session.syncer.run();
    go(`#/ticket/${encodeURIComponent(ticketId)}`);
  };
  return html`<section class="sign">
    <h1>客户签字确认</h1>
    <p>请客户确认供电方案 ${chosenRank(ticket, scheme)} 并在下框内签名。</p>
    <label>签字人<input id="signer" value=${signer} onInput=${(e) => setSigner(e.target.value)} /></label>
    <canvas id="signature" ref=${canvas} class="signature"></canvas>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="row">
      <button class="secondary" onClick=${() => { pad.current.clear(); setError(null); }}>重写</button>
      <button id="confirm-signature" onClick=${confirm}>确认签字</button>
    </div>
  </section>`;
}

function chosenRank(ticket, scheme) {
  const pending = ticket.pending.filter((op) => op.command === 'choose_option').pop();
  return pending ? pending.args.rank : scheme.chosen_option && scheme.chosen_option.rank;
}
