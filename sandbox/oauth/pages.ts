// The portal's HTML: a sign-in form and a consent form, both plain POST forms that carry the
// pending authorization in a hidden `transaction` field (no cookie), so any HTTP client can drive them.
import escapeHtml from 'escape-html';

export const SIGN_IN_ACTION = '/oauth/authorize/sign-in';
export const CONSENT_ACTION = '/oauth/authorize/consent';

interface PageFrame {
  readonly hospitalName: string;
  readonly clientName: string;
  readonly transactionId: string;
}

export function signInPage(frame: PageFrame & { readonly error?: string; readonly username?: string }): string {
  const error = frame.error ? `<p role="alert" class="error">${escapeHtml(frame.error)}</p>` : '';
  return layout(
    `Sign in to ${frame.hospitalName}`,
    `<h1>Sign in to ${escapeHtml(frame.hospitalName)}</h1>
<p><strong>${escapeHtml(frame.clientName)}</strong> wants to connect to your patient portal account.</p>
${error}
<form method="post" action="${SIGN_IN_ACTION}">
  <input type="hidden" name="transaction" value="${escapeHtml(frame.transactionId)}">
  <p><label for="username">Username</label><br>
  <input id="username" name="username" type="text" autocomplete="username" required value="${escapeHtml(frame.username ?? '')}"></p>
  <p><label for="password">Password</label><br>
  <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Sign in</button></p>
</form>
<p class="hint">Sandbox hospital: the demo patient signs in as <code>jane</code> / <code>sandbox</code>.</p>`,
  );
}

export function consentPage(frame: PageFrame & { readonly patientName: string; readonly scopes: ReadonlyArray<{ scope: string; description: string }> }): string {
  const items = frame.scopes
    .map(({ scope, description }) => `  <li>${escapeHtml(description)} <code>${escapeHtml(scope)}</code></li>`)
    .join('\n');
  return layout(
    `Allow ${frame.clientName} access?`,
    `<h1>Allow ${escapeHtml(frame.clientName)} to access your records?</h1>
<p>Signed in as the patient <strong>${escapeHtml(frame.patientName)}</strong> at ${escapeHtml(frame.hospitalName)}.</p>
<p>The app asks to:</p>
<ul id="scopes">
${items}
</ul>
<form method="post" action="${CONSENT_ACTION}">
  <input type="hidden" name="transaction" value="${escapeHtml(frame.transactionId)}">
  <button type="submit" name="decision" value="approve">Allow</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p role="alert">${escapeHtml(message)}</p>`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
input{font-size:1rem;padding:.3rem;width:100%;box-sizing:border-box}button{font-size:1rem;padding:.4rem 1rem;margin-right:.5rem}
.error{color:#a00}.hint{color:#555;font-size:.9rem}code{font-size:.85rem}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

