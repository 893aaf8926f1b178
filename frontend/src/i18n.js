// The editor's words in the page's language: window.cwI18n (app/static/js/i18n.js, loaded by
// every page before this bundle) with the page's #cw-messages catalog. Without it (the unit
// tests in Node, a page without the catalog) the English text is used as it is.
// Mark words with these names only, with a string literal first: `flask translations update`
// finds gettext("…") and ngettext("…", "…", n) calls (domain "js"). Placeholders are %(name)s;
// ngettext fills %(num)s with the count.

function fill(text, values) {
  if (!values) return text;
  return text.replace(/%\((\w+)\)[sd]/g, (match, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match,
  );
}

function api() {
  return typeof window !== "undefined" && window.cwI18n ? window.cwI18n : null;
}

export function gettext(message, values) {
  const i18n = api();
  return i18n ? i18n.gettext(message, values) : fill(message, values);
}

export function ngettext(singular, plural, count, values) {
  const i18n = api();
  if (i18n) return i18n.ngettext(singular, plural, count, values);
  return fill(count === 1 ? singular : plural, { num: String(count), ...(values || {}) });
}

/** The page's language (for dates and times), or undefined: the browser's. */
export function pageLanguage() {
  const i18n = api();
  if (i18n && i18n.lang) return i18n.lang;
  return typeof document !== "undefined" ? document.documentElement.getAttribute("lang") || undefined : undefined;
}
