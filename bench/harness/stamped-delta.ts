// Reading the stamp the stamping model server puts at the start of each text delta.
const STAMP = /⟦(\d+):(\d+)⟧/;

export interface DeltaStamp {
  /** When the model server received the request (ns, process.hrtime.bigint clock). */
  receivedNs: bigint;
  /** When it wrote this delta to the socket. */
  emittedNs: bigint;
}

export function readStamp(text: string): DeltaStamp | undefined {
  const match = STAMP.exec(text);
  return match ? { receivedNs: BigInt(match[1] ?? '0'), emittedNs: BigInt(match[2] ?? '0') } : undefined;
}

export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}
