// Prompt caching as the Messages API does it (platform.claude.com/docs/en/build-with-claude/prompt-caching),
// so the offline model reports the usage Claude would: `cache_control` breakpoints on tools, system
// blocks and message blocks, or the top-level field (automatic caching: the last cacheable block,
// one of the 4 slots), at most 4; longer TTLs before shorter ones. The prompt is read in the API's
// order (tools, system, messages), and a breakpoint writes the prefix ending at its block. For each
// breakpoint the request checks 20 positions, the breakpoint itself first, for an entry an earlier
// request wrote (the API's lookback); the highest entry found is read, every entry found is used and
// refreshed, and the rest up to the last breakpoint is written (input_tokens is what follows the last
// breakpoint). Entries belong to one model; prefixes shorter than the model's minimum are not
// cached; entries live 5 minutes (or 1 hour) from their last use. Token counts use the offline
// model's estimate (≈ 4 characters a token).
import { createHash, type Hash } from 'node:crypto';
import { isJsonObject, type JsonObject, type JsonValue } from '../../json.js';
import { InvalidRequestError } from './wire-types.js';

export type CacheTtl = '5m' | '1h';

/** One block of the prompt in the API's order, as far as caching is concerned. */
export interface PromptUnit {
  /** Its hash input: the block without its cache_control (a breakpoint that moves changes no prefix). */
  key: string;
  chars: number;
  /** Where the block is in the request (`system.0`, `messages.2.content.1`), for error messages. */
  where: string;
  /** Whether automatic caching may put its breakpoint here (not a thinking block, not an empty text block). */
  cacheable: boolean;
  breakpoint?: CacheTtl;
  /** The breakpoint is the top-level cache_control's (automatic caching). */
  automatic?: boolean;
}

export interface PromptCacheUsage {
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

export const MAX_CACHE_BREAKPOINTS = 4;
/** How many positions the API checks per breakpoint for an earlier entry, the breakpoint itself first. */
export const CACHE_LOOKBACK_BLOCKS = 20;
const TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };
/** Entries kept at most (oldest use first out), so a long-running offline model stays bounded. */
const MAX_ENTRIES = 10_000;

const TTL_ORDER_RULE =
  "a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`.";

/**
 * The request's prompt as cache units, or undefined when it asks for no caching (then nothing
 * below costs anything). Throws InvalidRequestError, worded as the API words it, for a malformed
 * cache_control, one on a block that cannot be cached, a 1-hour breakpoint after a 5-minute one,
 * or more than 4 breakpoints.
 */
export function promptUnitsOf(body: JsonObject): PromptUnit[] | undefined {
  // Each block's JSON (its key and size) is written only once a breakpoint is found: a request
  // without one costs a walk over its blocks, not a serialisation of them.
  const units: Array<Omit<PromptUnit, 'key' | 'chars'> & { keyed: JsonValue; prefix: string }> = [];
  // Message content blocks are a union tagged by `type`: the API's schema errors name the tag
  // (`messages.0.content.0.text.cache_control.ephemeral.ttl`); system blocks are text only (`system.0.cache_control…`).
  const add = (block: JsonValue, where: string, tagged: boolean, prefix = ''): void => {
    let breakpoint: CacheTtl | undefined;
    let keyed: JsonValue = block;
    const type = isJsonObject(block) && typeof block.type === 'string' ? block.type : undefined;
    const thinking = type === 'thinking' || type === 'redacted_thinking';
    const emptyText = type === 'text' && isJsonObject(block) && block.text === '';
    if (isJsonObject(block) && block.cache_control !== undefined && block.cache_control !== null) {
      const schemaPath = tagged && type !== undefined ? `${where}.${type}` : where;
      // Thinking blocks take no cache_control (they are cached with the turn they belong to).
      if (thinking) throw new InvalidRequestError(`${schemaPath}.cache_control: Extra inputs are not permitted`);
      breakpoint = cacheTtlOf(block.cache_control, `${schemaPath}.cache_control`);
      if (emptyText) throw new InvalidRequestError(`${where}.text: cache_control cannot be set for empty text blocks`);
      const { cache_control: _marker, ...rest } = block;
      keyed = rest;
    }
    units.push({ keyed, prefix, where, cacheable: !thinking && !emptyText, ...(breakpoint ? { breakpoint } : {}) });
  };
  if (Array.isArray(body.tools)) body.tools.forEach((tool, i) => add(tool, `tools.${i}`, false));
  // A string is the same prompt as one text block holding it (the API reads them alike).
  if (typeof body.system === 'string') add({ type: 'text', text: body.system }, 'system', false, 'system>');
  else if (Array.isArray(body.system)) body.system.forEach((block, i) => add(block, `system.${i}`, false, i === 0 ? 'system>' : ''));
  if (Array.isArray(body.messages)) {
    body.messages.forEach((message, m) => {
      if (!isJsonObject(message)) return;
      const start = `${String(message.role)}>`;
      if (typeof message.content === 'string') add({ type: 'text', text: message.content }, `messages.${m}.content`, false, start);
      else if (Array.isArray(message.content)) message.content.forEach((block, b) => add(block, `messages.${m}.content.${b}`, true, b === 0 ? start : ''));
    });
  }
  // Automatic caching: a breakpoint on the last cacheable block (walking back past thinking and
  // empty text blocks; none, no caching). One that block already has is kept if its TTL is the same.
  if (body.cache_control !== undefined && body.cache_control !== null) {
    const ttl = cacheTtlOf(body.cache_control, 'cache_control');
    const target = units.findLast((unit) => unit.cacheable);
    if (target?.breakpoint === undefined) {
      if (target) Object.assign(target, { breakpoint: ttl, automatic: true });
    } else if (target.breakpoint !== ttl) {
      throw new InvalidRequestError(
        `cache_control: the top-level cache_control (ttl='${ttl}') applies to the last cacheable block, ${target.where}, which has its own cache_control with ttl='${target.breakpoint}'; give both the same ttl.`,
      );
    }
  }
  const marked = units.filter((unit) => unit.breakpoint !== undefined);
  if (marked.length > MAX_CACHE_BREAKPOINTS) {
    throw new InvalidRequestError(`A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${marked.length}.`);
  }
  // Longer TTLs first: an entry must not outlive the prefix it extends.
  const firstShort = marked.findIndex((unit) => unit.breakpoint === '5m');
  const longAfterShort = firstShort < 0 ? undefined : marked.slice(firstShort).find((unit) => unit.breakpoint === '1h');
  if (longAfterShort) {
    throw new InvalidRequestError(`${longAfterShort.automatic ? '' : `${longAfterShort.where}.`}cache_control.ttl: ${TTL_ORDER_RULE}`);
  }
  if (marked.length === 0) return undefined;
  return units.map(({ keyed, prefix, ...unit }) => {
    const json = JSON.stringify(keyed);
    return { key: prefix + json, chars: json.length, ...unit };
  });
}

/** The TTL of a valid `cache_control`; otherwise the API's (pydantic's) error for it at `where`. */
function cacheTtlOf(value: JsonValue, where: string): CacheTtl {
  if (!isJsonObject(value)) throw new InvalidRequestError(`${where}: Input should be a valid dictionary or object to extract fields from`);
  if (typeof value.type !== 'string') throw new InvalidRequestError(`${where}: Unable to extract tag using discriminator 'type'`);
  if (value.type !== 'ephemeral') {
    throw new InvalidRequestError(`${where}: Input tag '${value.type}' found using 'type' does not match any of the expected tags: 'ephemeral'`);
  }
  const extra = Object.keys(value).find((key) => key !== 'type' && key !== 'ttl');
  if (extra !== undefined) throw new InvalidRequestError(`${where}.ephemeral.${extra}: Extra inputs are not permitted`);
  if (value.ttl === undefined) return '5m';
  if (value.ttl !== '5m' && value.ttl !== '1h') throw new InvalidRequestError(`${where}.ephemeral.ttl: Input should be '5m' or '1h'`);
  return value.ttl;
}

/**
 * The fewest prompt tokens the model caches, from the prompt caching page's "Cache limitations"
 * (Claude API): 512 for the Claude 5 models but Sonnet 5; 1,024 for Opus 4.8, Sonnet 5 and the
 * Sonnet 4, Opus 4/4.1 and Claude 3 Sonnet/Opus models; 2,048 for Opus 4.7, Mythos Preview and
 * Haiku 3/3.5; 4,096 for Opus 4.5/4.6 and Haiku 4.5. Any other name (the offline model's own): 1,024.
 */
export function minimumCacheableTokens(model: string): number {
  const generation = modelGeneration(model);
  return (generation === undefined ? undefined : MINIMUM_CACHEABLE_TOKENS[generation]) ?? 1_024;
}

const MINIMUM_CACHEABLE_TOKENS: Record<string, number> = {
  'fable 5': 512,
  'fable 5.1': 512,
  'mythos 5': 512,
  'mythos 5.1': 512,
  'opus 5': 512,
  'opus 5.5': 512,
  'sonnet 5.5': 512,
  'haiku 5.5': 512,
  'opus 4.7': 2_048,
  'mythos preview': 2_048,
  'haiku 3.5': 2_048,
  'haiku 3': 2_048,
  'opus 4.6': 4_096,
  'opus 4.5': 4_096,
  'haiku 4.5': 4_096,
};

/** "opus 4.5" for claude-opus-4-5-20251101, "haiku 3.5" for claude-3-5-haiku-latest, "mythos preview"… */
function modelGeneration(model: string): string | undefined {
  if (/^claude-mythos-preview\b/.test(model)) return 'mythos preview';
  const current = /^claude-(opus|sonnet|haiku|fable|mythos)-(\d{1,2})(?:-(\d{1,2}))?(?:-\d{8}|-latest|-preview)?$/.exec(model);
  if (current) return `${current[1]} ${current[2]}${current[3] === undefined ? '' : `.${current[3]}`}`;
  const legacy = /^claude-(\d)(?:-(\d))?-(opus|sonnet|haiku)\b/.exec(model);
  if (legacy) return `${legacy[3]} ${legacy[1]}${legacy[2] === undefined ? '' : `.${legacy[2]}`}`;
  return undefined;
}

interface CacheEntry {
  expiresAt: number;
  ttl: CacheTtl;
}

/** The prompt cache (as an API key's workspace has one): prefix hashes, each of one model, with their expiry. */
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
    const prefixes = prefixDigests(model, units);
    const cumulativeTokens = cumulative(units).map(this.tokensOf);
    const minimum = minimumCacheableTokens(model);
    const breakpointAt = units.flatMap((unit, i) => (unit.breakpoint ? [i] : []));

    // Read: for each breakpoint, the nearest live entry among the 20 positions ending at it. The
    // highest one found is read (the API's "position A"); every one found was used, so each is
    // refreshed — the tools-and-system entry stays alive while a conversation reads past it.
    const found = new Set<number>();
    for (const position of breakpointAt) {
      for (let i = position; i > position - CACHE_LOOKBACK_BLOCKS && i >= 0; i--) {
        if (this.live(prefixes[i]!, now)) {
          found.add(i);
          break;
        }
      }
    }
    for (const i of found) this.touch(prefixes[i]!, now);
    const readEnd = Math.max(-1, ...found);
    const read = readEnd >= 0 ? cumulativeTokens[readEnd]! : 0;

    // Write: each breakpoint past what was read, long enough to cache; each new segment is billed
    // as a write at its breakpoint's TTL (1-hour ones come first: the API's B − A and C − B).
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

/** The hash of every prefix (units 0..i) for `model`, from one running hash: a cache belongs to one model. */
function prefixDigests(model: string, units: readonly PromptUnit[]): string[] {
  const running: Hash = createHash('sha256').update(model).update('\u0000');
  return units.map((unit) => {
    running.update(unit.key).update('\u0000');
    return running.copy().digest('base64');
  });
}

function cumulative(units: readonly PromptUnit[]): number[] {
  let chars = 0;
  return units.map((unit) => (chars += unit.chars));
}
