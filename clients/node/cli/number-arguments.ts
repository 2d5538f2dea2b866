// Numbers typed on the command line, checked once for every command. A bad value is an
// InvalidArgumentError: commander prints it (as an option's parser) or the command does, with no
// stack trace, and the exit code is 1.
import { InvalidArgumentError } from 'commander';

function parse(text: string, name: string, valid: (value: number) => boolean, expected: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !valid(value)) throw new InvalidArgumentError(`${name} must be ${expected}, got "${text}"`);
  return value;
}

export function positiveInteger(text: string, name: string, max = Number.MAX_SAFE_INTEGER): number {
  return parse(text, name, (v) => Number.isInteger(v) && v > 0 && v <= max, max === Number.MAX_SAFE_INTEGER ? 'a positive whole number' : `a whole number from 1 to ${max}`);
}

export function nonNegativeInteger(text: string, name: string): number {
  return parse(text, name, (v) => Number.isInteger(v) && v >= 0, 'a whole number ≥ 0');
}

export function positiveNumber(text: string, name: string): number {
  return parse(text, name, (v) => v > 0, 'a positive number');
}

export function nonNegativeNumber(text: string, name: string): number {
  return parse(text, name, (v) => v >= 0, 'a number ≥ 0');
}

export function finiteNumber(text: string, name: string): number {
  return parse(text, name, () => true, 'a number');
}
