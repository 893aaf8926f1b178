/* The browser scripts' translations: window.cwI18n.gettext / ngettext, read from the page's
   #cw-messages JSON (app/core/i18n.py js_catalog). Scripts mark their words with these two
   names so that `flask translations update` finds them (domain "js"). Placeholders are
   %(name)s, as in Python; ngettext also fills %(num)s with the count, written in the page's
   language. */
(function () {
  "use strict";
  var element = document.getElementById("cw-messages");
  var catalog = {};
  try {
    catalog = element ? JSON.parse(element.textContent || "{}") : {};
  } catch (error) {
    catalog = {};
  }
  var lang = document.documentElement.getAttribute("lang") || "en";
  var rules = null;
  try {
    rules = new Intl.PluralRules(lang);
  } catch (error) {
    rules = null;
  }

  function fill(text, values) {
    if (!values) return text;
    return text.replace(/%\((\w+)\)[sd]/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function formatNumber(value) {
    try {
      return new Intl.NumberFormat(lang).format(value);
    } catch (error) {
      return String(value);
    }
  }

  function gettext(message, values) {
    var translated = catalog[message];
    return fill(typeof translated === "string" && translated ? translated : message, values);
  }

  function ngettext(singular, plural, count, values) {
    var forms = catalog[singular];
    var text = count === 1 ? singular : plural;
    if (forms && typeof forms === "object") {
      var category = rules ? rules.select(count) : (count === 1 ? "one" : "other");
      text = forms[category] || forms.other || text;
    }
    var all = Object.assign({ num: formatNumber(count) }, values || {});
    return fill(text, all);
  }

  window.cwI18n = { gettext: gettext, ngettext: ngettext, lang: lang, formatNumber: formatNumber };
})();
