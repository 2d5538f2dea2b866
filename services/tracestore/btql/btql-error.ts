// A query the store cannot run, with the place it went wrong: answered as HTTP 400.
export class BtqlError extends Error {
  constructor(message: string, readonly at?: string) {
    super(at ? `${message} (at ${at})` : message);
    this.name = 'BtqlError';
  }
}
