// Unsaved drafts in localStorage, one per policy and base revision (or per assembly for a new
// policy), so that nothing typed is lost when the page or the network fails.
//
// Keys: "commonwright:draft:<draft key>", e.g. "commonwright:draft:policy/12/base/3".
// On submit the form's draft prefix is noted in sessionStorage ("commonwright:draft-pending");
// the next page (static/js/editor.js, loaded on every page) removes the drafts under that prefix
// when it shows the success message, and keeps them otherwise.

import { gettext, pageLanguage } from "./i18n.js";

export const DRAFT_PREFIX = "commonwright:draft:";
export const PENDING_KEY = "commonwright:draft-pending";

function storage(kind) {
  try {
    const store = window[kind];
    const probe = "commonwright:probe";
    store.setItem(probe, "1");
    store.removeItem(probe);
    return store;
  } catch (error) {
    return null; // disabled, full or private mode: drafts are simply not kept
  }
}

export class DraftStore {
  constructor(key, prefix) {
    this.key = DRAFT_PREFIX + key;
    this.prefix = DRAFT_PREFIX + (prefix || key);
    this.store = storage("localStorage");
  }

  get available() {
    return this.store !== null;
  }

  /** The stored draft {text, savedAt} or null. */
  load() {
    if (!this.store) return null;
    try {
      const value = JSON.parse(this.store.getItem(this.key) || "null");
      return value && typeof value.text === "string" ? value : null;
    } catch (error) {
      return null;
    }
  }

  /** The newest other draft under the same prefix (the same policy on an older base revision):
      {key, text, savedAt, base} or null. */
  loadOther() {
    if (!this.store || this.prefix === this.key) return null;
    let best = null;
    for (let i = 0; i < this.store.length; i++) {
      const key = this.store.key(i);
      if (!key || key === this.key || !key.startsWith(this.prefix)) continue;
      try {
        const value = JSON.parse(this.store.getItem(key) || "null");
        if (value && typeof value.text === "string" && (!best || value.savedAt > best.savedAt)) best = { key, ...value };
      } catch (error) {
        /* ignore a damaged entry */
      }
    }
    return best;
  }

  /** Use another key from now on (a draft restored from another base revision). */
  moveTo(key) {
    if (this.store && key !== this.key) this.store.removeItem(this.key);
    this.key = key;
  }

  /** Keep `text`; returns the time saved, or null when it could not be kept. */
  save(text, base) {
    if (!this.store) return null;
    const savedAt = Date.now();
    try {
      this.store.setItem(this.key, JSON.stringify({ text, savedAt, base: base || null }));
      return savedAt;
    } catch (error) {
      return null;
    }
  }

  clear() {
    if (this.store) this.store.removeItem(this.key);
  }

  /** Note that the form is being submitted: the next page clears the drafts if it saved. */
  markPending() {
    const session = storage("sessionStorage");
    if (session) session.setItem(PENDING_KEY, JSON.stringify({ prefix: this.prefix, at: Date.now() }));
  }
}

/** When a draft was kept, in the page's language: "today at 14:05", "05/12/2026 at 09:30". */
export function formatTime(timestamp) {
  const date = new Date(timestamp);
  const sameDay = new Date().toDateString() === date.toDateString();
  const lang = pageLanguage();
  const time = date.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  if (sameDay) return gettext("today at %(time)s", { time });
  return gettext("%(date)s at %(time)s", { date: date.toLocaleDateString(lang), time });
}
