import * as React from 'react';

/** An issue named in text: `#12` (this project) or `owner/name#12`. */
export interface ITextRef {
  /** `owner/name`, or null for this project. */
  project: string | null;
  number: number;
}

/**
 * Follows a reference clicked in rendered markdown; provided where issues can
 * be opened (an issue's page). Without it references stay plain text.
 */
export const ReferenceContext = React.createContext<
  ((ref: ITextRef) => void) | null
>(null);

// the server's pattern (services/tracker.py `_REFERENCE_RE`): what it records
// as a reference is what is linked here; group 1 is what precedes it
const NAME = '[A-Za-z0-9][A-Za-z0-9_.-]{0,39}';
const REF = new RegExp(
  `(^|[^\\w/#&.-])((?:${NAME}/${NAME})?)#([1-9][0-9]{0,8})\\b`
);
const NOT_IN = new Set(['A', 'CODE', 'PRE']);

function linkable(text: Node, root: HTMLElement): boolean {
  for (let p = text.parentElement; p && p !== root; p = p.parentElement) {
    if (NOT_IN.has(p.tagName)) {
      return false;
    }
  }
  return REF.test(text.textContent ?? '');
}

/**
 * Wraps the references in `root`'s text, outside links and code, in
 * `a.openi-IssueRef` links carrying `data-project` and `data-number`.
 */
export function linkReferences(root: HTMLElement): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (linkable(n, root)) {
      texts.push(n as Text);
    }
  }
  for (const text of texts) {
    const source = text.textContent ?? '';
    const parts = document.createDocumentFragment();
    let done = 0;
    for (const m of source.matchAll(new RegExp(REF.source, 'g'))) {
      const start = (m.index ?? 0) + m[1].length;
      const label = `${m[2]}#${m[3]}`;
      const link = document.createElement('a');
      link.className = 'openi-IssueRef';
      link.href = '#';
      link.dataset.project = m[2];
      link.dataset.number = m[3];
      link.textContent = label;
      parts.append(source.slice(done, start), link);
      done = start + label.length;
    }
    parts.append(source.slice(done));
    text.replaceWith(parts);
  }
}

/** The reference a click landed on, if any. */
export function clickedReference(target: EventTarget): ITextRef | null {
  const link = (target as HTMLElement).closest?.('a.openi-IssueRef');
  if (!(link instanceof HTMLElement)) {
    return null;
  }
  return {
    project: link.dataset.project || null,
    number: Number(link.dataset.number)
  };
}
