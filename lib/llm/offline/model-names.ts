// The model names the offline model answers to: its own, and Claude's — it stands in for Claude, so
// a caller's `options.model: "claude-sonnet-4-6"` works offline as it will with a key. Any other
// name is answered as the API answers it (404 not_found_error "model: <name>"), so a typo shows up
// offline rather than only after switching to Claude.
export const OFFLINE_MODEL_NAME = 'tracemesh-offline-clinical';

// claude-sonnet-4-6, claude-sonnet-5-5, claude-fable-5-1, claude-opus-4-1-20250805, claude-3-5-haiku-latest…
const CLAUDE_MODEL = /^claude-(?:(?:opus|sonnet|haiku|fable|mythos)-\d+(?:-\d+)?|mythos-preview|\d+(?:-\d+)?-(?:opus|sonnet|haiku))(?:-\d{8}|-latest|-preview)?$/;

export function isOfflineServedModel(name: string): boolean {
  return name === OFFLINE_MODEL_NAME || CLAUDE_MODEL.test(name);
}
