// Small readers for JSON request bodies and query strings that answer 400 with the field's name.
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/json.js';
import { badRequest, notFound } from '../http/http-error.js';
import type { Project, Registry } from '../store/registry.js';

export function objectBody(body: JsonValue | undefined): JsonObject {
  if (!isJsonObject(body)) throw badRequest('the request body must be a JSON object');
  return body;
}

export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`"${key}" must be a string`);
  return value === '' ? undefined : value;
}

export function requiredString(body: JsonObject, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined) throw badRequest(`"${key}" is required`);
  return value;
}

export function requiredQuery(url: URL, key: string): string {
  const value = url.searchParams.get(key);
  if (value === null || value === '') throw badRequest(`query parameter "${key}" is required`);
  return value;
}

/** The project a register call names: project_id must exist; project_name is created on first use. */
export function projectOfRequest(registry: Registry, body: JsonObject): Project {
  const projectId = optionalString(body, 'project_id');
  if (projectId) {
    const project = registry.projectWithId(projectId);
    if (!project) throw notFound(`no project with id ${projectId}`);
    return project;
  }
  const projectName = optionalString(body, 'project_name');
  if (!projectName) throw badRequest('"project_name" or "project_id" is required');
  return registry.registerProject(projectName);
}

/** Fields of `body` worth keeping with a registered object (skipping routing and identity fields). */
export function registrationInfo(body: JsonObject, skip: string[]): JsonObject {
  const info: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (!skip.includes(key) && value !== undefined && value !== null) info[key] = value;
  }
  return info;
}
