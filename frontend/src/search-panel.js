// The find/replace panel of the editor (in place of @codemirror/search's own): the app's
// controls (real <label>s, .button.small buttons, text inputs as in every form; styled in
// app.css, "Editor search panel"), a count of the matches announced politely, and the same
// keys: Enter finds the next match, Shift+Enter the previous one, Enter in "Replace with"
// replaces, Escape closes and puts the focus back in the text.
import {
  SearchQuery,
  closeSearchPanel,
  findNext,
  findPrevious,
  getSearchQuery,
  replaceAll,
  replaceNext,
  selectMatches,
  setSearchQuery,
} from "@codemirror/search";
import { runScopeHandlers } from "@codemirror/view";

import { gettext, ngettext } from "./i18n.js";

const MAX_COUNT = 1000;
let panels = 0;

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of [].concat(children)) node.append(child);
  return node;
}

// form="" keeps the fields out of the edit form (they are not posted, Enter does not submit it).
function field(id, name, labelText, value) {
  const input = el("input", { type: "text", id, name, form: "", autocomplete: "off", spellcheck: "false", class: "cw-search-input" });
  input.value = value;
  const label = el("label", { for: id, class: "cw-search-label", text: labelText });
  return { input, label };
}

function checkbox(id, name, labelText, checked) {
  const input = el("input", { type: "checkbox", id, name, form: "" });
  input.checked = checked;
  return { input, label: el("label", { for: id, class: "cw-search-option" }, [input, " ", labelText]) };
}

function button(text, onClick, attrs = {}) {
  const node = el("button", { type: "button", class: "button small", ...attrs, text });
  node.addEventListener("click", onClick);
  return node;
}

class SearchPanel {
  constructor(view) {
    this.view = view;
    this.query = getSearchQuery(view.state);
    const id = `cw-search-${++panels}`;
    const q = this.query;
    this.find = field(`${id}-find`, "search", gettext("Find"), q.search);
    this.replace = field(`${id}-replace`, "replace", gettext("Replace with"), q.replace);
    this.find.input.setAttribute("main-field", "true");
    this.caseBox = checkbox(`${id}-case`, "case", gettext("Match case"), q.caseSensitive);
    this.wordBox = checkbox(`${id}-word`, "word", gettext("Whole words"), q.wholeWord);
    this.reBox = checkbox(`${id}-re`, "re", gettext("Regular expression"), q.regexp);
    this.status = el("p", { class: "cw-search-status", role: "status", "aria-live": "polite" });
    const close = button(gettext("Close"), () => closeSearchPanel(view), {
      class: "button small cw-search-close",
      "aria-label": gettext("Close find and replace"),
    });
    const foot = el("div", { class: "cw-search-foot" }, [this.status, close]);
    this.dom = el("div", { class: "cw-search", role: "group", "aria-label": gettext("Find and replace") }, [...this.rows(view), foot]);
    for (const input of [this.find.input, this.replace.input]) input.addEventListener("input", () => this.commit());
    for (const box of [this.caseBox, this.wordBox, this.reBox]) box.input.addEventListener("change", () => this.commit());
    this.dom.addEventListener("keydown", (event) => this.keydown(event));
    this.count();
  }

  /** The find row, the options and (unless the text is read-only) the replace row. */
  rows(view) {
    const findRow = el("div", { class: "cw-search-row" }, [
      this.find.label,
      this.find.input,
      el("span", { class: "cw-search-buttons" }, [
        button(gettext("Previous"), () => findPrevious(view)),
        button(gettext("Next"), () => findNext(view)),
        button(gettext("Select all"), () => selectMatches(view)),
      ]),
    ]);
    const options = el("div", { class: "cw-search-options", role: "group", "aria-label": gettext("Search options") }, [
      this.caseBox.label,
      this.wordBox.label,
      this.reBox.label,
    ]);
    if (view.state.readOnly) return [findRow, options];
    const replaceRow = el("div", { class: "cw-search-row" }, [
      this.replace.label,
      this.replace.input,
      el("span", { class: "cw-search-buttons" }, [
        button(gettext("Replace"), () => replaceNext(view)),
        button(gettext("Replace all"), () => replaceAll(view)),
      ]),
    ]);
    return [findRow, options, replaceRow];
  }

  commit() {
    const query = new SearchQuery({
      search: this.find.input.value,
      replace: this.replace.input.value,
      caseSensitive: this.caseBox.input.checked,
      wholeWord: this.wordBox.input.checked,
      regexp: this.reBox.input.checked,
    });
    if (query.eq(this.query)) return;
    this.query = query;
    this.view.dispatch({ effects: setSearchQuery.of(query) });
  }

  keydown(event) {
    if (runScopeHandlers(this.view, event, "search-panel")) {
      event.preventDefault();
    } else if (event.key === "Enter" && event.target === this.find.input) {
      event.preventDefault();
      (event.shiftKey ? findPrevious : findNext)(this.view);
    } else if (event.key === "Enter" && event.target === this.replace.input) {
      event.preventDefault();
      replaceNext(this.view);
    }
  }

  update(update) {
    let changed = update.docChanged;
    for (const tr of update.transactions) {
      for (const effect of tr.effects) {
        if (effect.is(setSearchQuery) && !effect.value.eq(this.query)) this.setQuery(effect.value);
        if (effect.is(setSearchQuery)) changed = true;
      }
    }
    if (changed) this.count();
  }

  setQuery(query) {
    this.query = query;
    this.find.input.value = query.search;
    this.replace.input.value = query.replace;
    this.caseBox.input.checked = query.caseSensitive;
    this.wordBox.input.checked = query.wholeWord;
    this.reBox.input.checked = query.regexp;
  }

  /** "3 matches", "No match", or why the pattern is not valid. */
  count() {
    const query = this.query;
    let text = "";
    if (query.search && !query.valid) text = gettext("Not a valid regular expression.");
    else if (query.search) {
      let n = 0;
      const cursor = query.getCursor(this.view.state);
      while (n < MAX_COUNT && !cursor.next().done) n++;
      if (n === 0) text = gettext("No match.");
      else if (n === MAX_COUNT) text = ngettext("At least %(num)s match.", "At least %(num)s matches.", n);
      else text = ngettext("%(num)s match.", "%(num)s matches.", n);
    }
    if (this.status.textContent !== text) this.status.textContent = text;
  }

  mount() {
    this.find.input.select();
  }

  get top() {
    return true;
  }
}

export const createSearchPanel = (view) => new SearchPanel(view);
