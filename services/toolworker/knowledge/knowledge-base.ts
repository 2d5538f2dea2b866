// The medical knowledge base as versioned data (data/knowledge-base/): documents and the conditions
// they cover, validated on load — a broken data file stops the worker at start instead of failing
// searches later — and fingerprinted, so Chroma is re-seeded only when the content changed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const KNOWLEDGE_BASE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'knowledge-base');

export const KNOWLEDGE_CATEGORIES = ['diagnosis', 'treatment', 'screening', 'follow-up'] as const;
export type KnowledgeCategory = (typeof KNOWLEDGE_CATEGORIES)[number];

const documentSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'ids are lowercase words joined by hyphens'),
  title: z.string().trim().min(5).max(120),
  condition: z.string().min(2),
  category: z.enum(KNOWLEDGE_CATEGORIES),
  content: z.string().trim().min(100).max(2000),
  source: z.string().trim().min(10),
});

const documentsFileSchema = z.object({
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'version is semver (major.minor.patch)'),
  documents: z.array(documentSchema).min(1),
});

const conditionsFileSchema = z.object({
  conditions: z.array(z.strictObject({ name: z.string().min(2), aliases: z.array(z.string().min(1)) })).min(1),
});

export type KnowledgeDocument = z.infer<typeof documentSchema>;
export type KnowledgeCondition = z.infer<typeof conditionsFileSchema>['conditions'][number];

export interface KnowledgeBase {
  version: string;
  documents: readonly KnowledgeDocument[];
  conditions: readonly KnowledgeCondition[];
  /** sha256 over everything stored in Chroma: any change to a document or condition changes it. */
  contentHash: string;
  /** The condition's name for a name or alias in any case/punctuation ("T2DM" → "type 2 diabetes"). */
  resolveCondition(nameOrAlias: string): string | undefined;
  /** The text embedded for a document: title, condition with aliases, category and content. */
  embeddingText(document: KnowledgeDocument): string;
}

/** Lowercase words separated by single spaces: "Graves' Disease" and "graves disease" compare equal. */
export function normalizeConditionName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function describeZodError(file: string, error: z.ZodError): string {
  return `${file}: ${error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'} ${issue.message}`).join('; ')}`;
}

/** Builds the knowledge base from the parsed JSON of documents.json and conditions.json. */
export function parseKnowledgeBase(documentsJson: unknown, conditionsJson: unknown): KnowledgeBase {
  const documentsFile = documentsFileSchema.safeParse(documentsJson);
  if (!documentsFile.success) throw new Error(describeZodError('documents.json', documentsFile.error));
  const conditionsFile = conditionsFileSchema.safeParse(conditionsJson);
  if (!conditionsFile.success) throw new Error(describeZodError('conditions.json', conditionsFile.error));
  const { version, documents } = documentsFile.data;
  const { conditions } = conditionsFile.data;

  const byName = new Map<string, KnowledgeCondition>();
  const lookup = new Map<string, string>();
  for (const condition of conditions) {
    for (const spelling of [condition.name, ...condition.aliases]) {
      const key = normalizeConditionName(spelling);
      const owner = lookup.get(key);
      if (owner !== undefined && owner !== condition.name) {
        throw new Error(`conditions.json: "${spelling}" names both "${owner}" and "${condition.name}"`);
      }
      lookup.set(key, condition.name);
    }
    byName.set(condition.name, condition);
  }

  const seen = new Set<string>();
  for (const document of documents) {
    if (seen.has(document.id)) throw new Error(`documents.json: document id "${document.id}" is used twice`);
    seen.add(document.id);
    if (!byName.has(document.condition)) {
      throw new Error(`documents.json: document "${document.id}" has condition "${document.condition}", which conditions.json does not list`);
    }
  }

  // Canonical JSON (fixed key order, documents by id) so formatting changes do not force a re-seed.
  const canonical = JSON.stringify({
    version,
    conditions: [...conditions].sort((a, b) => a.name.localeCompare(b.name)).map((c) => [c.name, [...c.aliases].sort()]),
    documents: [...documents]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((d) => [d.id, d.title, d.condition, d.category, d.content, d.source]),
  });

  return {
    version,
    documents,
    conditions,
    contentHash: createHash('sha256').update(canonical).digest('hex'),
    resolveCondition: (nameOrAlias) => lookup.get(normalizeConditionName(nameOrAlias)),
    embeddingText: (document) => {
      const aliases = byName.get(document.condition)?.aliases ?? [];
      return [
        `${document.title}.`,
        `Condition: ${document.condition}${aliases.length > 0 ? ` (${aliases.join(', ')})` : ''}.`,
        `Category: ${document.category}.`,
        document.content,
      ].join(' ');
    },
  };
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** Loads and validates the knowledge base shipped in data/knowledge-base (or another directory). */
export function loadKnowledgeBase(directory: string = KNOWLEDGE_BASE_DIR): KnowledgeBase {
  return parseKnowledgeBase(readJson(join(directory, 'documents.json')), readJson(join(directory, 'conditions.json')));
}
