// A small stand-in for @codemirror/lang-html, which build.mjs substitutes for it.
// @codemirror/lang-markdown only needs an HTML language to highlight raw HTML in Markdown;
// the real package also bundles the CSS and JavaScript languages (for <style> and <script>),
// which a policy text never needs (the renderer strips them anyway). That saves ~120 KiB.
import { parser } from "@lezer/html";
import { LRLanguage, LanguageSupport } from "@codemirror/language";

const htmlLanguage = LRLanguage.define({
  name: "html",
  parser: parser.configure({ dialect: "noMatch" }),
  languageData: { commentTokens: { block: { open: "<!--", close: "-->" } } },
});

export function html() {
  return new LanguageSupport(htmlLanguage);
}

export function htmlCompletionSource() {
  return null;
}
