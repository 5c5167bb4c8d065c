import { describe, it, expect } from 'vitest';
import { cohensKappa, fleissKappa } from '../../src/queue/agreement.js';
import cohenFixture from './fixtures/cohen-kappa.json' with { type: 'json' };
import fleissFixture from './fixtures/fleiss-kappa.json' with { type: 'json' };

function asPairs(pairs: readonly string[][]): [string, string][] {
  return pairs.map(([a, b]) => [a, b]);
}

describe('cohensKappa', () => {
  it.each(cohenFixture.cases)('when two raters label "$name", then kappa matches sklearn cohen_kappa_score', (c) => {
    expect(cohensKappa(asPairs(c.pairs))).toBeCloseTo(c.expected, 12);
  });

  it('when the raters swap roles, then kappa is unchanged', () => {
    const pairs = asPairs(cohenFixture.cases[0].pairs);
    const swapped = pairs.map(([a, b]): [string, string] => [b, a]);
    expect(cohensKappa(swapped)).toBeCloseTo(cohensKappa(pairs) ?? Number.NaN, 12);
  });

  it('when both raters always give the same single category, then kappa is 1, not NaN', () => {
    expect(cohensKappa([['stout', 'stout'], ['stout', 'stout']])).toBe(1);
  });

  it('when the raters always disagree on two balanced categories, then kappa is -1', () => {
    expect(cohensKappa([['lager', 'stout'], ['stout', 'lager']])).toBe(-1);
  });

  it('when there is no pair, then there is no kappa', () => {
    expect(cohensKappa([])).toBeUndefined();
  });
});

describe('fleissKappa', () => {
  it.each(fleissFixture.cases)('when rating the published "$name", then kappa matches the published value', (c) => {
    expect(fleissKappa(c.ratings)).toBeCloseTo(c.expected, c.decimals);
  });

  it('when items are reordered and each item’s ratings shuffled, then kappa is unchanged', () => {
    const ratings = fleissFixture.cases[1].ratings;
    const shuffled = [...ratings].reverse().map((item) => [...item].reverse());
    expect(fleissKappa(shuffled)).toBeCloseTo(fleissKappa(ratings) ?? Number.NaN, 12);
  });

  it('when some items have a single rating, then they are ignored', () => {
    const ratings = fleissFixture.cases[0].ratings;
    expect(fleissKappa([...ratings, ['1'], ['5']])).toBeCloseTo(fleissKappa(ratings) ?? Number.NaN, 12);
  });

  it('when items have different numbers of raters, then per-item agreement is averaged and category shares pooled', () => {
    // Hand-worked from the documented formula: P = (1 + 0 + 1)/3 = 2/3; shares a 4/9, b 5/9,
    // Pe = 41/81; kappa = (2/3 − 41/81)/(1 − 41/81) = 13/40.
    expect(fleissKappa([['a', 'a', 'a'], ['a', 'b'], ['b', 'b', 'b', 'b']])).toBeCloseTo(13 / 40, 12);
  });

  it('when every rating is the same category, then kappa is 1, not NaN', () => {
    expect(fleissKappa([['ipa', 'ipa'], ['ipa', 'ipa', 'ipa']])).toBe(1);
  });

  it('when no item has two ratings, then there is no kappa', () => {
    expect(fleissKappa([['ipa'], []])).toBeUndefined();
  });
});
