// Prompt caching as the Messages API does it, so the offline model reports the usage Claude would:
// `cache_control` breakpoints on tools, system blocks and message blocks (or the top-level field,
// which marks the last block), at most 4; the prompt is read in the API's order (tools, system,
// messages), and a breakpoint writes the prefix ending at its block. A request reads the longest
// prefix cached at its breakpoints or up to 20 blocks before each (the API's lookback), so a
// breakpoint that moves forward with the conversation still finds the previous request's entry.
// Prefixes shorter than the model's minimum are not cached; entries live 5 minutes (or 1 hour)
// from their last use. Token counts use the offline model's estimate (≈ 4 characters a token).
import { createHash, type Hash } from 'node:crypto';
import { z } from 'zod';
import { isJsonObject, type JsonObject, type JsonValue } from '../../json.js';
import { InvalidRequestError } from './wire-types.js';

export type CacheTtl = '5m' | '1h';

/** One block of the prompt in the API's order, as far as caching is concerned. */
export interface PromptUnit {
  /** Its hash input: the block without its cache_control (a breakpoint that moves changes no prefix). */
  key: string;
  chars: number;
  breakpoint?: CacheTtl;
}

export interface PromptCacheUsage {
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

export const MAX_CACHE_BREAKPOINTS = 4;
/** How many blocks before a breakpoint the API looks for an earlier entry. */
export const CACHE_LOOKBACK_BLOCKS = 20;
const TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };
/** Entries kept at most (oldest use first out), so a long-running offline model stays bounded. */
const MAX_ENTRIES = 10_000;

const cacheControlSchema = z.strictObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });

/**
 * The request's prompt as cache units, or undefined when it asks for no caching (then nothing
 * below costs anything). Throws InvalidRequestError for a malformed cache_control or more than 4.
 */
export function promptUnitsOf(body: JsonObject): PromptUnit[] | undefined {
  const units: PromptUnit[] = [];
  let breakpoints = 0;
  const add = (block: JsonValue, where: string, prefix = ''): void => {
    let breakpoint: CacheTtl | undefined;
    let keyed: JsonValue = block;
    if (isJsonObject(block) && block.cache_control !== undefined && block.cache_control !== null) {
      breakpoint = cacheTtlOf(block.cache_control, `${where}.cache_control`);
      breakpoints++;
      const { cache_control: _marker, ...rest } = block;
      keyed = rest;
    }
    const json = JSON.stringify(keyed);
    units.push({ key: prefix + json, chars: json.length, ...(breakpoint ? { breakpoint } : {}) });
  };
  if (Array.isArray(body.tools)) body.tools.forEach((tool, i) => add(tool, `tools.${i}`));
  // A string is the same prompt as one text block holding it (the API reads them alike).
  if (typeof body.system === 'string') add({ type: 'text', text: body.system }, 'system', 'system>');
  else if (Array.isArray(body.system)) body.system.forEach((block, i) => add(block, `system.${i}`, i === 0 ? 'system>' : ''));
  if (Array.isArray(body.messages)) {
    body.messages.forEach((message, m) => {
      if (!isJsonObject(message)) return;
      const start = `${String(message.role)}>`;
      if (typeof message.content === 'string') add({ type: 'text', text: message.content }, `messages.${m}.content`, start);
      else if (Array.isArray(message.content)) message.content.forEach((block, b) => add(block, `messages.${m}.content.${b}`, b === 0 ? start : ''));
    });
  }
  // Automatic caching: the top-level field marks the last block (unless it carries its own).
  if (body.cache_control !== undefined && body.cache_control !== null) {
    const ttl = cacheTtlOf(body.cache_control, 'cache_control');
    const last = units[units.length - 1];
    if (last && !last.breakpoint) {
      last.breakpoint = ttl;
      breakpoints++;
    }
  }
  if (breakpoints > MAX_CACHE_BREAKPOINTS) {
    throw new InvalidRequestError(`A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`);
  }
  return breakpoints > 0 ? units : undefined;
}

function cacheTtlOf(value: JsonValue, where: string): CacheTtl {
  const parsed = cacheControlSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue && issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
    throw new InvalidRequestError(`${where}${path}: ${issue?.message ?? 'invalid cache_control'}`);
  }
  return parsed.data.ttl ?? '5m';
}

/** The fewest prompt tokens the model caches (Anthropic's published minimums). */
export function minimumCacheableTokens(model: string): number {
  if (/opus-4-[56]|haiku-4-5/.test(model)) return 4_096;
  if (/haiku-3|3-5-haiku|3-haiku/.test(model)) return 2_048;
  return 1_024;
}

interface CacheEntry {
  expiresAt: number;
  ttl: CacheTtl;
}

/** One model's cache (as an API key's workspace has one): prefix hashes with their expiry. */
export class PromptCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly tokensOf: (chars: number) => number = (chars) => Math.ceil(chars / 4),
  ) {}

  /**
   * Reads and writes the cache for one request. `totalInputTokens` is the request's whole input
   * estimate; the cached parts are taken out of it, so input + read + creation = total.
   */
  account(model: string, units: readonly PromptUnit[], totalInputTokens: number): PromptCacheUsage {
    const now = this.now();
    const prefixes = prefixDigests(units);
    const cumulativeTokens = cumulative(units).map(this.tokensOf);
    const minimum = minimumCacheableTokens(model);
    const breakpointAt = units.flatMap((unit, i) => (unit.breakpoint ? [i] : []));

    // Read: the longest live entry at a breakpoint or within the lookback before one.
    let readEnd = -1;
    for (const position of breakpointAt) {
      for (let i = position; i >= Math.max(0, position - CACHE_LOOKBACK_BLOCKS) && i > readEnd; i--) {
        if (this.live(prefixes[i]!, now)) {
          readEnd = i;
          break;
        }
      }
    }
    if (readEnd >= 0) this.touch(prefixes[readEnd]!, now);
    const read = readEnd >= 0 ? cumulativeTokens[readEnd]! : 0;

    // Write: each breakpoint past what was read, long enough to cache; each new segment is billed
    // as a write at its breakpoint's TTL.
    const creation = { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 };
    let writtenTo = read;
    for (const position of breakpointAt) {
      const tokens = cumulativeTokens[position]!;
      if (position <= readEnd || tokens < minimum) continue;
      const ttl = units[position]!.breakpoint!;
      this.store(prefixes[position]!, ttl, now);
      creation[ttl === '1h' ? 'ephemeral_1h_input_tokens' : 'ephemeral_5m_input_tokens'] += tokens - writtenTo;
      writtenTo = tokens;
    }
    const cacheRead = Math.min(read, totalInputTokens);
    const cacheCreation = Math.min(writtenTo - read, totalInputTokens - cacheRead);
    return { cache_read_input_tokens: cacheRead, cache_creation_input_tokens: cacheCreation, cache_creation: creation };
  }

  private live(digest: string, now: number): boolean {
    const entry = this.entries.get(digest);
    if (!entry) return false;
    if (entry.expiresAt > now) return true;
    this.entries.delete(digest);
    return false;
  }

  /** A read refreshes the entry's lifetime, as the API's does. */
  private touch(digest: string, now: number): void {
    const entry = this.entries.get(digest);
    if (entry) this.store(digest, entry.ttl, now);
  }

  private store(digest: string, ttl: CacheTtl, now: number): void {
    const previous = this.entries.get(digest);
    this.entries.delete(digest);
    // A longer TTL already on the entry is kept.
    const keep = previous && previous.ttl === '1h' && previous.expiresAt > now ? previous : undefined;
    this.entries.set(digest, keep ?? { ttl, expiresAt: now + TTL_MS[ttl] });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** The hash of every prefix (units 0..i), from one running hash. */
function prefixDigests(units: readonly PromptUnit[]): string[] {
  const running: Hash = createHash('sha256');
  return units.map((unit) => {
    running.update(unit.key).update('\u0000');
    return running.copy().digest('base64');
  });
}

function cumulative(units: readonly PromptUnit[]): number[] {
  let chars = 0;
  return units.map((unit) => (chars += unit.chars));
}
