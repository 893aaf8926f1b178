// An accessible toolbar (role="toolbar"): real labelled buttons, one tab stop, arrow keys,
// Home and End move between the buttons.

export function createToolbar({ label, controls, groups, onRun }) {
  const toolbar = document.createElement("div");
  toolbar.className = "cw-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", label);
  if (controls) toolbar.setAttribute("aria-controls", controls);
  const buttons = [];
  for (const group of groups) {
    const box = document.createElement("div");
    box.className = "cw-toolbar-group";
    for (const item of group) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `cw-tool cw-tool-${item.id}`;
      button.dataset.command = item.id;
      button.textContent = item.text;
      if (item.shortcut) {
        button.setAttribute("aria-keyshortcuts", item.shortcut.aria);
        button.title = `${item.label} (${item.shortcut.display})`;
      } else {
        button.title = item.label;
      }
      if (item.text !== item.label) button.setAttribute("aria-label", item.label);
      button.tabIndex = buttons.length === 0 ? 0 : -1;
      // Keep the editor's selection: a mouse press does not move the focus away first.
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("click", () => {
        focusButton(buttons.indexOf(button), false);
        onRun(item);
      });
      box.appendChild(button);
      buttons.push(button);
    }
    toolbar.appendChild(box);
  }

  function focusButton(index, focus = true) {
    buttons.forEach((button, i) => (button.tabIndex = i === index ? 0 : -1));
    if (focus) buttons[index].focus();
  }

  toolbar.addEventListener("keydown", (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = (index + 1) % buttons.length;
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = (index - 1 + buttons.length) % buttons.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = buttons.length - 1;
    if (next !== null) {
      event.preventDefault();
      focusButton(next);
    }
  });

  return {
    element: toolbar,
    focus: () => focusButton(Math.max(0, buttons.findIndex((b) => b.tabIndex === 0))),
  };
}
