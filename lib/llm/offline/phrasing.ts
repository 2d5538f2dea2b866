// Turning facts into readable English, shared by the tool-call preamble and the final answer.
import type { LabReading } from './lab-values.js';
import { labLabel, unitOf } from './lab-values.js';
import type { BloodPressure, CreatinineUnit, HeightUnit, Measurement, PatientFacts, SevereBloodPressureWords, WeightUnit } from './patient-facts.js';
import { conditionLabel, heightInCm, round, statedEgfr, symptomLabel, uncoveredLabel, weightInKg } from './patient-facts.js';

/** "a", "a and b", "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function possessive(facts: PatientFacts): string {
  return facts.sex === 'female' ? 'her' : facts.sex === 'male' ? 'his' : "the patient's";
}

export function objectPronoun(facts: PatientFacts): string {
  return facts.sex === 'female' ? 'her' : facts.sex === 'male' ? 'him' : 'the patient';
}

export function formatHeight(height: Measurement<HeightUnit>): string {
  if (height.unit === 'cm') return `${height.value} cm`;
  const feet = Math.floor(height.value / 12);
  const inches = round(height.value - feet * 12, 1);
  return `${feet}'${inches}" (${round(heightInCm(height), 1)} cm)`;
}

export function formatWeight(weight: Measurement<WeightUnit>): string {
  return weight.unit === 'kg' ? `${weight.value} kg` : `${weight.value} lb (${round(weightInKg(weight), 1)} kg)`;
}

/** "150/95 mmHg", "< 130/80 mmHg" for a bound. */
export function formatBloodPressure(bp: BloodPressure): string {
  return `${bp.comparator ? `${bp.comparator} ` : ''}${bp.systolic}/${bp.diastolic} mmHg`;
}

/** "hypertensive crisis", "very high blood pressure": a severe blood pressure as it was said. */
export function severeBloodPressureLabel(words: SevereBloodPressureWords): string {
  return words === 'very_high' ? 'very high blood pressure' : `hypertensive ${words}`;
}

/** "1.4 mg/dL", "186 µmol/L". */
export function formatCreatinine(creatinine: Measurement<CreatinineUnit>): string {
  return `${creatinine.value} ${creatinine.unit === 'umol/L' ? 'µmol/L' : 'mg/dL'}`;
}

/** "HbA1c 7.2 %", "LDL 190 mg/dL" (the unit its size implies when none was written), "TSH < 0.01 mIU/L", "low free T4". */
export function formatLab(reading: LabReading): string {
  const label = labLabel(reading.test);
  if (reading.value === undefined) return `${reading.level ?? 'abnormal'} ${label}`;
  const unit = unitOf(reading);
  const value = reading.comparator ? `${reading.comparator} ${reading.value}` : `${reading.value}`;
  return unit ? `${label} ${value} ${unit}` : `${label} ${value}`;
}

/** "HbA1c 7.2 %, LDL 190 mg/dL, low free T4": commas only, as it sits inside longer lists. */
export function labsPhrase(labs: readonly LabReading[]): string {
  return labs.map(formatLab).join(', ');
}

/**
 * Drugs as the clinician named them: a combination product's components, when all are in the list,
 * become one item, "Zestoretic (lisinopril and hydrochlorothiazide)", where the first of them was.
 */
export function medicationItems(generics: readonly string[], facts: PatientFacts): string[] {
  const items: string[] = [];
  const grouped = new Set<string>();
  for (const generic of generics) {
    if (grouped.has(generic)) continue;
    const product = facts.combinationProducts.find(
      (p) => p.components.includes(generic) && p.components.every((c) => generics.includes(c) && !grouped.has(c)),
    );
    if (!product) {
      items.push(generic);
      continue;
    }
    for (const component of product.components) grouped.add(component);
    items.push(`${product.name} (${joinAnd(product.components)})`);
  }
  return items;
}

/** The combination product ("Zestoretic", as written) a generic was named by, if any. */
export function productNameOf(generic: string, facts: PatientFacts): string | undefined {
  return facts.combinationProducts.find((p) => p.components.includes(generic.toLowerCase()))?.name;
}

/** "lisinopril (Zestoretic)": a generic with the combination product it was named by, if any. */
export function withProductName(generic: string, facts: PatientFacts): string {
  const product = productNameOf(generic, facts);
  return product ? `${generic} (${product})` : generic;
}

export function symptomsPhrase(facts: PatientFacts): string {
  return joinAnd(facts.symptoms.map(symptomLabel));
}

/** "45-year-old female, 5'4" (162.6 cm), 180 lb (81.6 kg), presenting with fatigue and increased thirst". */
export function describePatient(facts: PatientFacts): string {
  const parts: string[] = [];
  if (facts.age !== undefined) parts.push(`${facts.age}-year-old ${facts.sex ?? 'patient'}`);
  else if (facts.sex) parts.push(facts.sex);
  if (facts.height) parts.push(formatHeight(facts.height));
  if (facts.weight) parts.push(formatWeight(facts.weight));
  if (facts.bloodPressure) parts.push(`blood pressure ${formatBloodPressure(facts.bloodPressure)}`);
  else if (facts.severeBloodPressureWords) parts.push(`${severeBloodPressureLabel(facts.severeBloodPressureWords)} (no reading given)`);
  if (facts.serumCreatinine) parts.push(`serum creatinine ${facts.serumCreatinine.value} ${facts.serumCreatinine.unit}`);
  if (facts.egfr !== undefined) parts.push(`eGFR ${statedEgfr(facts)}`);
  if (facts.labs.length > 0) parts.push(labsPhrase(facts.labs));
  if (facts.pregnant) parts.push('pregnant');
  if (facts.symptoms.length > 0) parts.push(`presenting with ${symptomsPhrase(facts)}`);
  if (facts.conditions.length > 0) parts.push(`with ${joinAnd(facts.conditions.map(conditionLabel))} in the history`);
  const taken = facts.medications.filter((m) => !facts.proposedMedications.includes(m));
  const takenItems = [...medicationItems(taken, facts), ...facts.uncoveredMedications.map(uncoveredLabel)];
  if (takenItems.length > 0) parts.push(`taking ${joinAnd(takenItems)}`);
  if (facts.proposedMedications.length > 0) parts.push(`${takenItems.length > 0 ? 'and ' : ''}asking about starting ${joinAnd(medicationItems(facts.proposedMedications, facts))}`);
  return parts.length > 0 ? parts.join(', ') : 'no details given yet';
}

/** What a follow-up message added, e.g. "blood pressure 150/95 mmHg". Empty when nothing new. */
export function describeNewInformation(latest: PatientFacts): string {
  const parts: string[] = [];
  if (latest.age !== undefined) parts.push(`age ${latest.age}`);
  if (latest.height) parts.push(`height ${formatHeight(latest.height)}`);
  if (latest.weight) parts.push(`weight ${formatWeight(latest.weight)}`);
  if (latest.bloodPressure) parts.push(`blood pressure ${formatBloodPressure(latest.bloodPressure)}`);
  else if (latest.severeBloodPressureWords) parts.push(severeBloodPressureLabel(latest.severeBloodPressureWords));
  if (latest.serumCreatinine) parts.push(`serum creatinine ${latest.serumCreatinine.value} ${latest.serumCreatinine.unit}`);
  if (latest.egfr !== undefined) parts.push(`eGFR ${statedEgfr(latest)}`);
  if (latest.labs.length > 0) parts.push(labsPhrase(latest.labs));
  if (latest.pregnant !== undefined) parts.push(latest.pregnant ? 'pregnancy' : 'not pregnant');
  if (latest.symptoms.length > 0) parts.push(symptomsPhrase(latest));
  if (latest.deniedSymptoms.length > 0) parts.push(`no ${joinAnd(latest.deniedSymptoms.map(symptomLabel))}`);
  if (latest.conditions.length > 0) parts.push(joinAnd(latest.conditions.map(conditionLabel)));
  const medications = [...medicationItems(latest.medications, latest), ...latest.uncoveredMedications.map(uncoveredLabel)];
  if (medications.length > 0) parts.push(`medications: ${joinAnd(medications)}`);
  return joinAnd(parts);
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Ends a sentence with one full stop, unless it already ends in punctuation or an ellipsis. */
export function sentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

export function withoutFinalStop(text: string): string {
  return text.replace(/\.$/, '');
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
