// lib/dom.ts plus a helper for optional children of append()/replaceChildren().
export * from './dom';

/** The nodes of a list whose optional entries are null/false. */
export function nodes(...items: (Node | null | undefined | false)[]): Node[] {
  return items.filter((n): n is Node => Boolean(n));
}
