// Every node is built with textContent/setAttribute (never innerHTML), so data cannot inject markup.

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** The page element with this id (the shell in label-page.ts renders every one). */
export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
}

export function inputEl(id: string): HTMLInputElement {
  return $(id) as HTMLInputElement;
}

export function selectEl(id: string): HTMLSelectElement {
  return $(id) as HTMLSelectElement;
}

export function h(tag: string, props: Props | null, ...children: (Child | Child[])[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function clear(el: HTMLElement, ...children: (Child | Child[])[]): void {
  el.replaceChildren(...children.flat().filter((c): c is Node | string | number => Boolean(c)).map((c) => (c instanceof Node ? c : String(c))));
}

export function pct(x: number): string {
  return Math.round(x * 100) + '%';
}

export function notice(text: string, kind?: 'ok' | 'error' | ''): void {
  const el = $('lp-notice');
  el.hidden = !text;
  el.className = 'lp-notice' + (kind ? ' ' + kind : '');
  el.textContent = text || '';
}
