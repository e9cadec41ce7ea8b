import { selection } from './collections.js';
import { byId, h, render } from './dom.js';
import { renderCompare } from './views/compare.js';
import { renderDetect } from './views/detect.js';
import { renderFaces } from './views/faces.js';
import { renderIndex } from './views/index-photos.js';
import { renderPeople } from './views/people.js';
import { renderSearch } from './views/search.js';
import { renderUsers } from './views/users.js';
import { renderVideo } from './views/video.js';

const TABS = ['detect', 'index', 'search', 'faces', 'users', 'people', 'compare', 'video'] as const;
type Tab = (typeof TABS)[number];

let current: Tab = 'detect';

const renderers: Record<Tab, (panel: HTMLElement, collection: string) => void> = {
  detect: renderDetect,
  index: renderIndex,
  search: renderSearch,
  faces: (panel, collection) => void renderFaces(panel, collection),
  users: (panel, collection) => void renderUsers(panel, collection),
  people: (panel, collection) => void renderPeople(panel, collection),
  compare: renderCompare,
  video: renderVideo,
};

export function mountTabs() {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-tab]')) {
    button.addEventListener('click', () => {
      current = button.dataset.tab as Tab;
      renderTab();
    });
  }
}

/** Shows the current tab, rendering it again unless it keeps its results. */
export function renderTab() {
  for (const tab of TABS) {
    byId(`tab-${tab}`).hidden = tab !== current;
    document
      .querySelector(`[data-tab="${tab}"]`)
      ?.setAttribute('aria-selected', String(tab === current));
  }
  const panel = byId(`tab-${current}`);
  // Detect, Compare and Video keep their results while the user switches around (Video reads
  // the selected collection when a search starts).
  if (current === 'detect' || current === 'compare' || current === 'video') {
    if (panel.childElementCount === 0) renderers[current](panel, '');
    return;
  }
  const collection = selection.collection;
  if (!collection) {
    delete panel.dataset.collection;
    render(panel, h('p', { class: 'hint' }, 'Select or create a collection first.'));
    return;
  }
  // Index and Search keep theirs for the same collection; the lists are read again.
  const keeps = current === 'index' || current === 'search';
  if (keeps && panel.dataset.collection === collection) return;
  panel.dataset.collection = collection;
  renderers[current](panel, collection);
}

/** Empties every tab (after "Forget keys"), then shows the current one afresh. */
export function resetTabs() {
  for (const tab of TABS) {
    const panel = byId(`tab-${tab}`);
    delete panel.dataset.collection;
    render(panel);
  }
  renderTab();
}
