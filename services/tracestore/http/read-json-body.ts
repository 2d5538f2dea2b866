// Reads a request body with a size limit (raw and decompressed), undoes Content-Encoding
// (the OTLP exporter can gzip) and parses JSON. Every failure is an HttpError (400/413/415).
import type { IncomingMessage } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { JsonValue } from '../../../lib/json.js';
import { HttpError } from './http-error.js';

export async function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > limitBytes) throw tooLarge(limitBytes);
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client went away mid-body: nothing to store, and nobody left to answer.
    throw new HttpError(400, `the request body was cut off: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks, total);
}

export function decodeBody(raw: Buffer, contentEncoding: string | undefined, limitBytes: number): Buffer {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  const options = { maxOutputLength: limitBytes };
  try {
    switch (encoding) {
      case '':
      case 'identity':
        return raw;
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(raw, options);
      case 'deflate':
        return inflateSync(raw, options);
      case 'br':
        return brotliDecompressSync(raw, options);
      default:
        throw new HttpError(415, `unsupported Content-Encoding "${encoding}" (use gzip, deflate, br or none)`);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (error instanceof RangeError) throw tooLarge(limitBytes);
    throw new HttpError(400, `the ${encoding} body could not be decompressed: ${(error as Error).message}`);
  }
}

/** The parsed body, or undefined for an empty one. */
export function parseJsonBody(body: Buffer, contentType: string | undefined): JsonValue | undefined {
  if (body.length === 0) return undefined;
  if (contentType && /protobuf/i.test(contentType)) {
    throw new HttpError(415, 'only JSON bodies are accepted (for OTLP use the http/json protocol)');
  }
  try {
    return JSON.parse(body.toString('utf8')) as JsonValue;
  } catch (error) {
    throw new HttpError(400, `malformed JSON body: ${(error as Error).message}`);
  }
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, `request body larger than ${limitBytes} bytes`);
}
