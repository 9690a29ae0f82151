// Sign up / sign in: one form, two buttons. The API's problem detail is shown as it is (a held-back
// sign-in says when to try again).
import { api, ApiError, errorMessage } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { safeNextPath } from '../urls.js';
import { banner, pageHeading, type ViewContext } from '../view.js';

export function renderSignIn(ctx: ViewContext): void {
  const emailId = uid('email');
  const passwordId = uid('password');
  const hintId = uid('password-hint');
  const email = h('input', { id: emailId, name: 'email', type: 'email', autocomplete: 'username', required: true, maxlength: 254 });
  const password = h('input', {
    id: passwordId,
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    maxlength: 1024,
    'aria-describedby': hintId,
  });
  const message = h('div', { class: 'form-message' });
  const signIn = h('button', { type: 'submit', class: 'button', value: 'sign-in' }, 'Sign in');
  const signUp = h('button', { type: 'submit', class: 'button secondary', value: 'sign-up' }, 'Sign up');

  const form = h(
    'form',
    { class: 'card auth-form', novalidate: true, 'aria-labelledby': 'page-title' },
    h('p', { class: 'field' }, h('label', { for: emailId }, 'Email'), email),
    h(
      'p',
      { class: 'field' },
      h('label', { for: passwordId }, 'Password'),
      password,
      h('span', { id: hintId, class: 'hint' }, 'New here? Choose a password of at least 10 characters, then press Sign up.'),
    ),
    message,
    h('div', { class: 'actions' }, signIn, signUp),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const action = (event.submitter as HTMLButtonElement | null)?.value === 'sign-up' ? 'sign-up' : 'sign-in';
    void submit(action);
  });

  async function submit(action: 'sign-in' | 'sign-up'): Promise<void> {
    const address = email.value.trim();
    if (!address || !password.value) {
      replace(message, banner('error', 'Enter your email and a password.'));
      (address ? password : email).focus();
      return;
    }
    // A new account needs the longer password the API asks for; only sign-up autocompletes a new one.
    password.autocomplete = action === 'sign-up' ? 'new-password' : 'current-password';
    for (const button of [signIn, signUp]) button.disabled = true;
    replace(message, h('p', { role: 'status' }, action === 'sign-up' ? 'Creating your account…' : 'Signing in…'));
    try {
      // Sign-up answers the same whether or not the address already has an account (so nobody can
      // learn who uses carebinder from it); signing in right after is what tells the two apart.
      if (action === 'sign-up') await api.signUp(address, password.value);
      await api.signIn(address, password.value);
      const me = await api.me();
      password.value = '';
      ctx.setMe(me);
      ctx.navigate(safeNextPath(ctx.url.searchParams.get('next'), window.location.origin), { replace: true });
    } catch (error) {
      // Here a 401 means "wrong email or password", not "go and sign in".
      const text =
        action === 'sign-up' && error instanceof ApiError && error.status === 401
          ? 'Could not sign you in with this password. If you already have an account with this email, press Sign in and use its password.'
          : error instanceof ApiError
            ? error.message
            : errorMessage(error);
      replace(message, banner('error', text));
      password.focus();
    } finally {
      for (const button of [signIn, signUp]) button.disabled = false;
    }
  }

  replace(
    ctx.main,
    h(
      'div',
      { class: 'narrow' },
      pageHeading('Sign in to carebinder'),
      h('p', { class: 'lead' }, 'carebinder collects your records from your hospital portals into one binder, filed the way your care team asks for them.'),
      form,
    ),
  );
}
