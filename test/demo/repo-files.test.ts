import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README and .gitignore', () => {
  it('when the README speaks of the demo, then it states its run time once only', () => {
    // Paragraphs that run the demo and give a duration ("14 s", "a few minutes").
    const timed = readme.split(/\n\s*\n/).filter((p) => p.includes('npm run demo') && /\b(?:\d+(?:\.\d+)? ?(?:s|min|seconds?|minutes?)|few (?:seconds|minutes))\b/.test(p));
    expect(timed).toHaveLength(1);
  });

  it('when .gitignore names a path inside the repository, then that path exists (no stale entries)', () => {
    const entries = fs
      .readFileSync(path.join(root, '.gitignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    // A negation re-includes something that must be there; a specific nested path (no wildcard) names a file or folder that must exist.
    const specific = entries.map((l) => l.replace(/^!/, '')).filter((l) => !/[*?[]/.test(l) && /\/./.test(l.replace(/\/$/, '')));
    const negations = entries.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    for (const entry of new Set([...specific, ...negations])) expect(fs.existsSync(path.join(root, entry)), entry).toBe(true);
  });

  it('when the README draws the code map, then it names every folder of src/ and scripts/, and every folder it names exists', () => {
    const map = /## Code map\n+```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    // Top-level entries start a line at column 0; the folders under one start at column 2 or share a line ("webhooks/ health/ …").
    const named = new Set<string>();
    let top = '';
    for (const line of map.split('\n')) {
      const first = /^(\S+)/.exec(line)?.[1];
      if (first) top = first.endsWith('/') ? first : '';
      if (first?.endsWith('/')) named.add(first);
      const nested = /^ {2}((?:[a-z-]+\/ ?)+)/.exec(line)?.[1];
      if (nested && top) for (const dir of nested.trim().split(/\s+/)) named.add(top + dir);
    }
    const folders = (dir: string) => fs.readdirSync(path.join(root, dir), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${dir}/${e.name}/`);
    for (const folder of [...folders('src'), ...folders('scripts')]) expect(named.has(folder), `${folder} is missing from the code map`).toBe(true);
    for (const folder of named) expect(fs.existsSync(path.join(root, folder)), `${folder} does not exist`).toBe(true);
  });
});
