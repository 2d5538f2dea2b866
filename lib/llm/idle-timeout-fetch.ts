// A model response whose bytes stop coming is ended. The Anthropic SDK's timeout covers only the
// wait for the response to begin; a stream that stalls after that (a dead peer, a stuck proxy)
// would hold the turn, and its conversation's lease, for as long as the caller waits — for ever
// with no deadline. The watch is on bytes, not on the SDK's events: the SDK drops the `ping`
// events Anthropic sends through long silent stretches (extended thinking), and those must count.
export class ModelStreamSilentError extends Error {
  constructor(readonly idleMs: number) {
    super(`the model's response sent nothing for ${idleMs} ms`);
    this.name = 'ModelStreamSilentError';
  }
}

/** The silence error behind a failed model call (the SDK wraps stream errors once), if it was one. */
export function streamSilence(error: unknown): ModelStreamSilentError | undefined {
  if (error instanceof ModelStreamSilentError) return error;
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof ModelStreamSilentError ? cause : undefined;
}

/** `fetchImpl`, with every response body failing with ModelStreamSilentError after `idleMs` without a byte. */
export function idleTimeoutFetch(fetchImpl: typeof fetch, idleMs: number): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (!response.body) return response;
    let timer: NodeJS.Timeout | undefined;
    let arm = (): void => undefined;
    const stop = (): void => clearTimeout(timer);
    const watched = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        start(controller) {
          arm = () => {
            timer = setTimeout(() => controller.error(new ModelStreamSilentError(idleMs)), idleMs);
            timer.unref();
          };
          arm();
        },
        transform(chunk, controller) {
          stop();
          arm();
          controller.enqueue(chunk);
        },
        flush: stop,
      }),
    );
    init?.signal?.addEventListener('abort', stop, { once: true });
    return new Response(watched, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
