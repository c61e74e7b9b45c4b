/**
 * The app shell: routes by the URL hash (so a reload offline lands where the user was), a sync bar
 * on every screen, and automatic sync when the network returns, after each change, and every minute
 * while something waits to be sent.
 */
import { html, render, useEffect, useState } from './ui.js';
import { AUTO_SYNC_MS, openSession, tokenExpired } from './session.js';
import { pendingOps, queueEvents } from './queue.js';
import { SYNC_STATES } from './words.js';
import { go } from './nav.js';
import { warmGrid } from './scheme/device.js';
import { LoginView } from './views/login.js';
import { ListView } from './views/list.js';
import { TicketView } from './views/ticket.js';
import { NewTicketView } from './views/new_ticket.js';
import { SignView } from './views/sign.js';
import { SyncView } from './views/sync_report.js';

const ROUTES = [
  [/^#\/ticket\/([^/]+)\/sign$/, (s, m) => html`<${SignView} session=${s} ticketId=${decodeURIComponent(m[1])} />`],
  [/^#\/ticket\/([^/]+)$/, (s, m) => html`<${TicketView} session=${s} ticketId=${decodeURIComponent(m[1])} />`],
  [/^#\/new$/, (s) => html`<${NewTicketView} session=${s} />`],
  [/^#\/sync$/, (s) => html`<${SyncView} session=${s} />`],
  [/^/, (s) => html`<${ListView} session=${s} />`],
];

function useHash() {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => { setHash(window.location.hash); window.scrollTo(0, 0); };
    window.addEventListener('hashchange', changed);
    setHash(window.location.hash);          // a change between the first render and this listener
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function useSyncState(session) {
  const [state, setState] = useState(session.syncer.state);
  const [pending, setPending] = useState(0);
  useEffect(() => {
    const count = async () => setPending((await pendingOps(session.db)).length);
    queueEvents.addEventListener('queued', count);
    const unsubscribe = session.syncer.subscribe((next) => { setState(next); count(); });
    return () => { queueEvents.removeEventListener('queued', count); unsubscribe(); };
  }, []);
  return [state, pending];
}

function SyncBar({ session, state, pending, online }) {
  const busy = ['uploading', 'pushing', 'pulling'].includes(state.name);
  const progress = busy && state.total ? ` ${Math.floor(state.done)}/${state.total}` : '';
  const words = !online && !busy ? SYNC_STATES.offline : SYNC_STATES[state.name] + progress;
  return html`<header class="bar">
    <a class="home" href="#/">业扩</a>
    <a id="sync-state" class=${`sync ${online ? state.name : 'offline'}`} href="#/sync">
      ${words}${pending ? html` · <b id="pending-count">${pending}</b> 项待同步` : ''}</a>
    <button id="sync-now" class="secondary" disabled=${busy} onClick=${() => session.syncer.run()}>同步</button>
  </header>`;
}

function App({ session }) {
  const hash = useHash();
  const [auth, setAuth] = useState(session.auth);
  const [online, setOnline] = useState(navigator.onLine);
  const [state, pending] = useSyncState(session);
  useEffect(() => {
    const up = () => { setOnline(true); session.syncer.run(); };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    const timer = setInterval(() => { if (navigator.onLine && pending) session.syncer.run(); }, AUTO_SYNC_MS);
    return () => { window.removeEventListener('online', up); window.removeEventListener('offline', down); clearInterval(timer); };
  }, [pending]);
  if (!auth || state.name === 'signed_out') {
    return html`<${LoginView} session=${session} expired=${auth && state.name === 'signed_out'}
      onLogin=${(next) => { setAuth(next); session.syncer.run(); go('#/'); }} />`;
  }
  const route = ROUTES.find(([pattern]) => pattern.test(hash));
  return html`<div class="app">
    <${SyncBar} session=${session} state=${state} pending=${pending} online=${online} />
    ${tokenExpired(auth) && html`<p class="warning" id="token-expired">登录已过期：可继续离线工作，联网后请重新登录以同步。</p>`}
    <main>${route[1](session, hash.match(route[0]))}</main>
  </div>`;
}

/** The region's grid is projected in idle time after start and after each sync, so the first
 * scheme of the day does not wait for it. */
function warmWhenIdle(session) {
  const warm = () => session.auth && warmGrid(session.db, session.auth.region);
  const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 200));
  later(warm);
  session.syncer.subscribe((state) => { if (state.name === 'idle') later(warm); });
}

export async function start(root) {
  const session = await openSession();
  root.textContent = '';
  render(html`<${App} session=${session} />`, root);
  if (session.auth && navigator.onLine) session.syncer.run();
  warmWhenIdle(session);
  return session;
}
