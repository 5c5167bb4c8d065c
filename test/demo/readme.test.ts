import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_SET_FILES, type DemoManifest } from '../../scripts/demo/data/demo-dataset.js';
import { renderDemoReadme } from '../../scripts/demo/data/readme.js';

const DIR = 'data/demo';

describe('demo data README', () => {
  it('when rendered from the committed manifest and file sizes, then it equals the committed data/demo/README.md', async () => {
    const manifest = JSON.parse(await readFile(join(DIR, 'manifest.json'), 'utf8')) as DemoManifest;
    // The order the builder writes them in: model, the sets, then the manifest.
    const names = ['model.json', ...Object.values(manifest.sets).map((s) => s.file), 'manifest.json'];
    expect(Object.values(manifest.sets).map((s) => s.file).sort()).toEqual(Object.values(DEMO_SET_FILES).sort());
    const files = await Promise.all(names.map(async (file) => ({ file, bytes: (await stat(join(DIR, file))).size })));
    expect(renderDemoReadme(manifest, files)).toBe(await readFile(join(DIR, 'README.md'), 'utf8'));
  });
});
