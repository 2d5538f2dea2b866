// Picking a port for a process about to start.
import { createServer } from 'node:net';

/** A port nobody listens on right now (the OS picks it; a race with other processes remains possible). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error('could not pick a free port'))));
    });
  });
}
