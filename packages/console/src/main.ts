import { clearCollections, mountCollections, refreshCollections } from './collections.js';
import { forgetPictures } from './face-pictures.js';
import { mountSignIn } from './session.js';
import { mountTabs, renderTab, resetTabs } from './tabs.js';
import './styles.css';

/*
 * The console's entry: the sidebar of collections, the key dialog and the tabs, each a module of
 * its own (views/ holds one per tab). Everything talks to the server through `session.client`.
 */
mountTabs();
mountCollections(renderTab);
/** Nothing the old keys could read stays on screen: lists, results, photos, thumbnails. */
function forgetWhatWasShown() {
  clearCollections();
  resetTabs();
  void forgetPictures();
}

mountSignIn({
  onSignIn: (otherKey) => {
    // Another key may be another account: what the previous one showed goes.
    if (otherKey) forgetWhatWasShown();
    void refreshCollections();
  },
  onForget: () => {
    forgetWhatWasShown();
    void refreshCollections();
  },
});
renderTab();
void refreshCollections();
