// "Hide screen": for when a child or visitor walks up to a shared school computer. The button
// (or Shift+Escape, which no GOV.UK component uses) covers the whole page with a plain screen;
// a click or any key brings it back exactly as it was, unsaved form input included, because
// nothing is reloaded. Loaded as a module: the CSP forbids inline script.
const button = document.querySelector("[data-hide-screen]");
const cover = document.getElementById("app-cover");

if (button && cover) {
  const others = () => [...document.body.children].filter((el) => el !== cover);
  let returnFocus = null;
  let savedTitle = document.title;

  const hide = () => {
    if (!cover.hidden) return;
    returnFocus = document.activeElement;
    savedTitle = document.title;
    // A neutral tab title too: the title bar is as visible as the page.
    document.title = "New tab";
    // inert: nothing underneath can be read by a screen reader, focused or clicked.
    others().forEach((el) => { el.inert = true; });
    cover.hidden = false;
    cover.focus();
  };

  const show = () => {
    if (cover.hidden) return;
    cover.hidden = true;
    others().forEach((el) => { el.inert = false; });
    document.title = savedTitle;
    if (returnFocus instanceof HTMLElement) returnFocus.focus();
  };

  button.hidden = false;
  button.addEventListener("click", hide);
  cover.addEventListener("click", show);
  document.addEventListener("keydown", (event) => {
    if (!cover.hidden) {
      event.preventDefault();
      show();
    } else if (event.key === "Escape" && event.shiftKey) {
      event.preventDefault();
      hide();
    }
  }, true);
}
