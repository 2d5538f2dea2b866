// How a service tells whoever started it that it is listening: an IPC message when started by
// `tracemesh up` or a test (which then learns the real port even when it asked for port 0).
export interface ReadyMessage {
  type: 'ready';
  service: string;
  /** Where it listens: host:port for gRPC, a URL for HTTP. */
  address: string;
  port: number;
}

export function announceReady(message: Omit<ReadyMessage, 'type'>): void {
  if (typeof process.send === 'function') process.send({ type: 'ready', ...message } satisfies ReadyMessage);
}

export function isReadyMessage(value: unknown): value is ReadyMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'ready';
}
