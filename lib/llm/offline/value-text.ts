// The one preparation step before the offline model reads any number from a clinician's text (age,
// height, weight, blood pressure, creatinine, eGFR, lab results): dates are blanked and decimal
// commas become points. Both keep every character's position, so the order of mention, and each
// reader's look at the words around a number, hold. One pass a text, with patterns compiled once:
// extractPatientFacts prepares a text once and every reader works on the result.

// A whole word: "on Janumet" is no date.
const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?`;
// Not the start of a decimal: in "TSH in March 8.5" the 8 is the value's.
const DAY = String.raw`\d{1,2}(?:st|nd|rd|th)?(?!\.?\d)`;
const YEAR = String.raw`(?:19|20)\d{2}`;
// A date that is a date wherever it stands: it has a year ("01/11/2026", "1.11.26", "2026-11-01",
// "1 Nov 2026", "Nov 1, 2026", "November 2026", "12/2023"). Numeric day–month–year needs one
// separator throughout, and is not a strength ("5/10/20 mg").
const FULL_DATE = String.raw`(?:(?<![\d.\/-])(?:${YEAR}-\d{1,2}-\d{1,2}|\d{1,2}(?<sep>[\/.-])\d{1,2}\k<sep>(?:${YEAR}|\d{2})|\d{1,2}\/${YEAR})(?![\d\/.-]?\d)(?!\s*(?:mg|mcg|g|ml|%)\b)|\b(?:${DAY}\s+${MONTH}\s+${YEAR}|${MONTH}\s+${DAY},?\s+${YEAR}|${MONTH}\s+${YEAR})\b)`;
// A date that is one only where it is introduced as one: after on/from/in/dated/since or in
// brackets ("potassium on 3/14: 5.8", "HbA1c (March 2026) 7.4%", "TSH in March 8.5"). "3/14" alone
// may be anything, "1 Nov" alone may be "1 may…".
const ANY_DATE = String.raw`(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\/\d{4}|\d{1,2}[\/-]\d{1,2}(?:[\/-]\d{2,4})?|\d{1,2}\.\d{1,2}\.\d{2,4}|(?:${DAY}\s+)?${MONTH}(?:\s+${DAY})?(?:,?\s+${YEAR})?|${YEAR})(?!\d)`;
const DATES = new RegExp(String.raw`\(\s*(?:on\s+)?${ANY_DATE}\s*\)|\b(?:on|from|in|dated|since)\s+${ANY_DATE}|${FULL_DATE}`, 'gi');

// The decimal-comma rule. A comma between digits is read as a decimal point ("potassium 6,8
// mmol/l" is 6.8, never 6) only where it cannot be a thousands separator or a list separator:
// - one or two digits after it (three is a thousands separator: "ferritin 1,200");
// - the number does not continue a list or a word ("4,5,6", "A1,7": not preceded by a letter, a
//   digit, a comma or a point, not followed by another comma or point and a digit);
// - it is not followed by "and", "or", "to" or a dash and another number ("4,5 and 6", "4,5-6").
// What follows may be a unit, the end of the text or of a clause, or another item of a list
// written with a space after its comma ("K 6,8, Na 131"). A comma left unread this way makes the
// number after a lab name unreadable (lab-values.ts skips it) rather than read as its integer part.
const DECIMAL_COMMA = /(?<![\w,.])(\d+),(\d{1,2})(?![\d])(?![,.]\d)(?!\s*(?:and|or|to|[-–])\s*\d)/g;

/** The text with each date blanked to spaces and each decimal comma a point, at the same positions. */
export function valueText(text: string): string {
  const undated = text.replace(DATES, (date) => ' '.repeat(date.length));
  return undated.includes(',') ? undated.replace(DECIMAL_COMMA, '$1.$2') : undated;
}
