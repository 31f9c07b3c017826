import { ApiError, api } from '../lib/api.js';
import { h } from '../lib/dom.js';

/**
 * The login form. Posts to `/api/v1/auth/login`, which sets an httpOnly session cookie; the
 * password never touches storage.
 */
export function loginPage(root: HTMLElement, onDone: () => void): void {
  const error = h('div', { class: 'error-msg', role: 'alert', hidden: true });
  const user = h('input', {
    id: 'login-user',
    name: 'username',
    autocomplete: 'username',
    required: true,
    type: 'text',
  });
  const pass = h('input', {
    id: 'login-pass',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card login', 'aria-labelledby': 'login-title' },
    h(
      'div',
      { class: 'brand' },
      h('img', { src: '/favicon.svg', alt: '' }),
      h('span', { id: 'login-title' }, 'ISP Monitor'),
    ),
    error,
    h('label', { for: 'login-user' }, 'Username', user),
    h('label', { for: 'login-pass' }, 'Password', pass),
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    try {
      await api('/api/v1/auth/login', {
        method: 'POST',
        body: { username: user.value, password: pass.value },
      });
      onDone();
    } catch (err) {
      error.textContent =
        err instanceof ApiError && err.status === 429
          ? 'Too many attempts: wait a minute and try again.'
          : err instanceof Error
            ? err.message
            : String(err);
      error.hidden = false;
      pass.select();
    } finally {
      submit.disabled = false;
    }
  });
  root.replaceChildren(h('main', { class: 'login-wrap' }, form));
  user.focus();
}
