import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The documents a reader follows links in: the README, docs/ and the demo data's README. */
function documents(): string[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', 'data/demo/README.md', ...docs];
}

/** The text outside fenced code blocks and inline code, where links render. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const match of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const text = match[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[*_`]/g, (c) => (c === '_' ? '_' : ''));
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

interface Link {
  from: string;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const text = prose(fs.readFileSync(path.join(root, file), 'utf8'));
  const links: Link[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    links.push({ from: file, target });
  }
  return links;
}

/** Why a link leads nowhere, or undefined when it resolves. */
function brokenReason(link: Link): string | undefined {
  const [pathPart, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const file = pathPart === '' ? link.from : path.posix.normalize(path.posix.join(path.posix.dirname(link.from), decodeURI(pathPart)));
  const absolute = path.join(root, file);
  if (!fs.existsSync(absolute)) return `${file} does not exist`;
  if (anchor === undefined) return undefined;
  if (!file.endsWith('.md')) return `#${anchor} points into ${file}, which has no headings`;
  return anchorsOf(fs.readFileSync(absolute, 'utf8')).has(decodeURIComponent(anchor)) ? undefined : `${file} has no heading #${anchor}`;
}

/** Folders a path in inline code may start from: the repository's and src/'s own. */
function pathRoots(): Set<string> {
  const dirs = (dir: string) =>
    fs
      .readdirSync(path.join(root, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
      .map((e) => e.name);
  return new Set([...dirs('.'), ...dirs('src')]);
}

/** Paths a document names that exist only at run time or only in the history, as it says there. */
const NOT_IN_THE_TREE = new Set([
  'data/demo-run/', // written by `npm run demo`
  'src/queue/selection/typiclust.ts', // docs/regions.md: removed, "it is in the history, commit 17906c5"
]);

/** Paths of this repository written in inline code (`src/queue/`, `drift/drift.ports.ts`) that lead nowhere. */
function missingCodePaths(file: string, roots: Set<string>): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  const missing = new Set<string>();
  for (const match of text.matchAll(/`([\w.-]+(?:\/[\w.-]+)+\/?)`/g)) {
    const named = match[1]!;
    if (!roots.has(named.split('/')[0]!) || NOT_IN_THE_TREE.has(named)) continue;
    if (!/(\.[a-z]+|\/)$/.test(named)) continue;
    const found = [root, path.join(root, 'src'), path.join(root, path.dirname(file))].some((base) => fs.existsSync(path.join(base, named)));
    if (!found) missing.add(`${file}: \`${named}\``);
  }
  return [...missing];
}

describe('the links in README.md and docs/', () => {
  it('when a document links to a file or a heading of this repository, then that file and heading exist', () => {
    const links = documents().flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(40);
    const broken = links.flatMap((link) => {
      const reason = brokenReason(link);
      return reason ? [`${link.from}: (${link.target}): ${reason}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('when a document names a file or folder of the repository in inline code, then it exists', () => {
    const roots = pathRoots();
    expect(documents().flatMap((file) => missingCodePaths(file, roots))).toEqual([]);
  });

  it('when the README has a section, then its Contents links to it', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const contents = /^## Contents\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
    const linked = new Set([...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]));
    const sections = [...anchorsOf(readme.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').split('\n').filter((l) => /^## /.test(l)).join('\n'))];
    expect(sections.filter((s) => s !== 'contents' && !linked.has(s))).toEqual([]);
  });

  it('when a heading has punctuation or repeats, then its anchor follows GitHub (the checker itself is right)', () => {
    const anchors = anchorsOf('# Drift, the review queue, retraining\n## Labels — `npm run bench -- labels`\n## Notes\n## Notes\n```\n# not a heading\n```\n');
    expect([...anchors]).toEqual(['drift-the-review-queue-retraining', 'labels--npm-run-bench----labels', 'notes', 'notes-1']);
    expect(brokenReason({ from: 'README.md', target: '#no-such-heading' })).toBe('README.md has no heading #no-such-heading');
    expect(brokenReason({ from: 'README.md', target: 'docs/no-such-file.md' })).toBe('docs/no-such-file.md does not exist');
    expect(brokenReason({ from: 'docs/queue.md', target: '../README.md#the-demo' })).toBeUndefined();
  });
});
