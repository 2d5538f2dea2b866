// @ts-check
// The trace store's bearer token, when it has one (TRACESTORE_TOKEN). It arrives in the URL
// fragment (`/ui/#token=…`: fragments never reach the server or its logs) or from the token
// dialog, and is kept in sessionStorage: this tab only, gone when it closes. The fragment is
// removed from the address bar as soon as it has been read.

const STORAGE_KEY = 'tracemesh.viewer.token';

/** @returns {string | null} */
export function currentToken() {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function adoptTokenFromFragment() {
  const parts = location.hash.replace(/^#/, '').split('&').filter((part) => part !== '');
  const tokenPart = parts.find((part) => part.startsWith('token='));
  if (tokenPart === undefined) return;
  const token = decodeURIComponent(tokenPart.slice('token='.length));
  if (token !== '') sessionStorage.setItem(STORAGE_KEY, token);
  const rest = parts.filter((part) => part !== tokenPart).join('&');
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

/** @type {Promise<boolean> | undefined} */
let pendingPrompt;

/**
 * Asks for the token in the dialog; resolves true once one was entered, false when cancelled.
 * Requests failing together share one dialog.
 * @param {boolean} rejectedBefore a token was sent and refused
 * @returns {Promise<boolean>}
 */
export function promptForToken(rejectedBefore) {
  pendingPrompt ??= showDialog(rejectedBefore).finally(() => {
    pendingPrompt = undefined;
  });
  return pendingPrompt;
}

/**
 * @param {boolean} rejectedBefore
 * @returns {Promise<boolean>}
 */
function showDialog(rejectedBefore) {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('token-dialog'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('token-input'));
  const error = /** @type {HTMLElement} */ (document.getElementById('token-error'));
  const tokenButton = /** @type {HTMLButtonElement} */ (document.getElementById('token-button'));
  tokenButton.hidden = false;
  error.hidden = !rejectedBefore;
  input.value = '';
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        const token = input.value.trim();
        if (dialog.returnValue === 'save' && token !== '') {
          sessionStorage.setItem(STORAGE_KEY, token);
          resolve(true);
        } else {
          resolve(false);
        }
      },
      { once: true },
    );
    dialog.showModal();
    input.focus();
  });
}

/** The header's "Access token…" button: change the token, then reload the view. */
export function wireTokenButton(/** @type {() => void} */ onChanged) {
  const tokenButton = /** @type {HTMLButtonElement} */ (document.getElementById('token-button'));
  if (currentToken() !== null) tokenButton.hidden = false;
  tokenButton.addEventListener('click', async () => {
    if (await promptForToken(false)) onChanged();
  });
}
