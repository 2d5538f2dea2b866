// The peer's caller: fetch (undici's keep-alive pool) POSTing one turn to /api/chat.
import type { TurnOutcome } from '../../harness/closed-loop.js';

export async function peerTurn(baseUrl: string, message: string, timeoutMs = 60_000): Promise<TurnOutcome> {
  try {
    const response = await fetch(`${baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { text?: string };
    return response.ok && typeof body.text === 'string' ? { ok: true } : { ok: false, code: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, code: error instanceof Error ? error.name : String(error) };
  }
}
