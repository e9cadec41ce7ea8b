/** A child of {@link h}: nodes, text, or nothing (`false`/`null`/`undefined` are skipped). */
export type Child = Node | string | number | false | null | undefined | readonly Child[];

type Props = Record<string, unknown>;

/**
 * Creates an element: `on*` props become listeners, `class` the class name, `style` the inline
 * style text, booleans toggle attributes, everything else is an attribute.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
    } else if (key === 'class') {
      element.className = String(value);
    } else if (key === 'style') {
      element.style.cssText = String(value);
    } else if (key === 'value' && 'value' in element) {
      (element as HTMLInputElement).value = String(value);
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: readonly Child[]) {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function render(parent: Element, ...children: Child[]) {
  parent.replaceChildren();
  append(parent, children);
}

/** The element with that id, typed; a missing one is a bug in index.html. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

export const percent = (ratio: number | undefined, digits = 1) =>
  ratio === undefined ? '–' : `${ratio.toFixed(digits)}%`;
