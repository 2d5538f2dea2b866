// Loads the medication reference from data/medications/ once per process. A missing, unreadable or
// invalid file throws at once with a message that names the file and every problem, so a worker
// with bad reference data fails at start-up instead of answering with it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MedicationDataError, parseMedicationReference, type MedicationReference } from './reference-schema.js';

export const DEFAULT_REFERENCE_PATH = fileURLToPath(new URL('../../../data/medications/drug-reference.json', import.meta.url));

export function loadMedicationReference(path: string = DEFAULT_REFERENCE_PATH): MedicationReference {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MedicationDataError(path, [`cannot be read: ${error instanceof Error ? error.message : String(error)}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new MedicationDataError(path, [`is not valid JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseMedicationReference(raw, path);
}
