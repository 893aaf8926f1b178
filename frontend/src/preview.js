// The live preview: the server renders the Markdown exactly as the reading view does
// (POST …/preview, CSRF token in the X-CSRFToken header) and answers the line blocks' HTML.

import { gettext } from "./i18n.js";

/** Why the preview failed, by HTTP status (in the page's language, when it is shown). */
function failure(status) {
  switch (status) {
    case 400:
      return gettext("The preview is unavailable: your session expired. Reload the page (your text is kept in this browser).");
    case 403:
      return gettext("The preview is unavailable: you may have been logged out. Your text is kept in this browser.");
    case 404:
      return gettext("The preview is unavailable: this page no longer exists.");
    case 413:
      return gettext("The text is over the 1 MB limit, so it cannot be previewed or saved.");
    case 429:
      return gettext("The preview is paused for a moment (too many requests).");
    default:
      return gettext("The preview is unavailable (error %(status)s).", { status });
  }
}

export class Preview {
  constructor({ url, csrfToken, body, status, delay = 400, onGotoLine }) {
    this.url = url;
    this.csrfToken = csrfToken;
    this.body = body;
    this.status = status;
    this.delay = delay;
    this.timer = null;
    this.seq = 0;
    this.controller = null;
    this.lastText = null;
    body.addEventListener("click", (event) => {
      const gutter = event.target.closest("a.gutter[data-line]");
      if (gutter && onGotoLine) {
        event.preventDefault();
        onGotoLine(Number(gutter.dataset.line));
      }
    });
  }

  /** Render `text` after `delay` ms without further calls. */
  schedule(text) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.render(text), this.delay);
  }

  async render(text) {
    clearTimeout(this.timer);
    if (text === this.lastText) return;
    const seq = ++this.seq;
    if (this.controller) this.controller.abort();
    const controller = (this.controller = typeof AbortController === "function" ? new AbortController() : null);
    this.body.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(this.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "text/plain;charset=UTF-8", "X-CSRFToken": this.csrfToken, Accept: "text/html" },
        body: text,
        signal: controller ? controller.signal : undefined,
      });
      if (seq !== this.seq) return;
      if (!response.ok) {
        this.setStatus(failure(response.status), true);
        return;
      }
      const html = await response.text();
      if (seq !== this.seq) return;
      this.body.innerHTML = html; // sanitised by the server's renderer
      this.lastText = text;
      this.setStatus("", false);
    } catch (error) {
      if (error && error.name === "AbortError") return;
      if (seq === this.seq) {
        this.setStatus(gettext("The preview could not be updated: the server is unreachable. Your text is kept in this browser."), true);
      }
    } finally {
      if (seq === this.seq) this.body.removeAttribute("aria-busy");
    }
  }

  setStatus(message, failed) {
    this.status.textContent = message;
    this.status.hidden = !message;
    this.body.classList.toggle("cw-preview-stale", !!failed);
  }
}
