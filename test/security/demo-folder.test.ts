import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_MARKER, prepareDemoFolder } from '../../scripts/demo/run/demo-folder.js';
import { tempDataDir } from '../support/server.js';

describe('the demo data folder', () => {
  it('when the folder holds data the demo did not create, then it is refused and left as it was', () => {
    const dir = tempDataDir();
    fs.writeFileSync(path.join(dir, 'driftloop.sqlite'), 'production data');
    expect(() => prepareDemoFolder(dir)).toThrow(/not created by the demo/);
    expect(fs.readFileSync(path.join(dir, 'driftloop.sqlite'), 'utf8')).toBe('production data');
  });

  it('when the folder is new, empty, or one the demo created, then it is emptied and marked', () => {
    const dir = path.join(tempDataDir(), 'run');
    prepareDemoFolder(dir);
    expect(fs.readdirSync(dir)).toEqual([DEMO_MARKER]);
    fs.writeFileSync(path.join(dir, 'driftloop.sqlite'), 'last run');
    prepareDemoFolder(dir);
    expect(fs.readdirSync(dir)).toEqual([DEMO_MARKER]);
  });

  it('when pointed at the committed demo data, then nothing is deleted', () => {
    const before = fs.readdirSync(path.resolve('data/demo')).sort();
    expect(() => prepareDemoFolder(path.resolve('data/demo'))).toThrow();
    expect(fs.readdirSync(path.resolve('data/demo')).sort()).toEqual(before);
  });
});
