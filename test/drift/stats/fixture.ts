import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** Reads a JSON fixture written by fixtures/make-fixtures.py. */
export function loadFixture<T>(name: string): T & { source: string } {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as T & { source: string };
}

/** Asserts |actual − expected| ≤ max(abs, rel·|expected|), naming the case on failure. */
export function expectClose(actual: number, expected: number, tolerance: { rel?: number; abs?: number }, label = ''): void {
  const allowed = Math.max(tolerance.abs ?? 0, (tolerance.rel ?? 0) * Math.abs(expected));
  const error = Math.abs(actual - expected);
  expect(error <= allowed || actual === expected, `${label}: got ${actual}, expected ${expected} (error ${error}, allowed ${allowed})`).toBe(true);
}
