/** Log-in, once, with network: the token is kept and the app works offline afterwards. */
import { html, useState } from '../ui.js';
import { logIn } from '../session.js';
import { Problem, Unreachable } from '../http.js';

export function LoginView({ session, expired, onLogin }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    setError(null);
    try {
      onLogin(await logIn(session, form.get('username').trim(), form.get('password')));
    } catch (err) {
      setError(loginError(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <h1>业扩现场</h1>
    ${expired && html`<p class="warning">登录已失效（过期或被后台停用）。未同步的内容都保存在本机，重新登录后继续同步。</p>`}
    <form id="login" onSubmit=${submit}>
      <label>用户名<input name="username" autocomplete="username" required value=${session.auth ? session.auth.username : ''} /></label>
      <label>密码<input name="password" type="password" autocomplete="current-password" required /></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="submit" disabled=${busy}>${busy ? '正在登录…' : '登录'}</button>
    </form>
    <p class="hint">首次登录需要联网；登录后可离线工作。本机编号 ${session.deviceId}</p>
  </main>`;
}

function loginError(error) {
  if (error instanceof Unreachable) return '无法连接服务器：登录需要网络。';
  if (error instanceof Problem && error.problem.status === 429) return '尝试次数过多，请稍后再试。';
  if (error instanceof Problem && error.problem.status === 401) return '用户名或密码不正确。';
  return `登录失败：${error.message}`;
}
