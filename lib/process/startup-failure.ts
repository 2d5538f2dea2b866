// A service that cannot start says why in one line and what to change — a setting with a bad value,
// or an address it cannot listen on — instead of a stack trace a user has to read through.
// Anything else that stops a start is still reported in full (it is a bug, and the stack matters).
import { ConfigError } from '../config.js';

const LISTEN_PROBLEMS: Array<[RegExp, string]> = [
  [/EADDRINUSE/, 'the address is already in use'],
  [/EACCES/, 'permission denied (ports below 1024 need privileges)'],
  [/EADDRNOTAVAIL/, 'this machine has no such address'],
  [/ENOTFOUND|EAI_AGAIN|Name resolution failed/, 'the host name does not resolve'],
];

/** A listen failure as a ConfigError naming the settings that choose the address, or the error itself if it is another kind. */
export function listenFailure(error: unknown, address: string, settings: string[]): unknown {
  const text = error instanceof Error ? error.message : String(error);
  const problem = LISTEN_PROBLEMS.find(([pattern]) => pattern.test(text));
  if (!problem) return error;
  return new ConfigError(`cannot listen on ${address}: ${problem[1]}; set ${settings.join(' or ')} to choose another`);
}

/**
 * Until `started()` is called, an error that ends the process's start ends it with status 1 and one
 * line `<service>: <what to change>` when it is a ConfigError. Install before anything reads config.
 */
export function guardStartup(service: string): { started(): void } {
  const onError = (error: unknown): void => {
    if (error instanceof ConfigError) process.stderr.write(`${service}: ${error.message}\n`);
    else process.stderr.write(`${service}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', onError);
  return { started: () => process.off('uncaughtException', onError) };
}
