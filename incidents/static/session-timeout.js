// The idle-timeout warning (issue 17, item 9): the GOV.UK timeout-warning pattern. Two minutes
// before the session would end for idleness, a modal dialog says so, with one button to stay
// signed in (WCAG 2.2.1: the user can extend the time limit with a simple action, at least 20
// seconds before it ends). Escape does the same, as in the HMRC timeout dialog. The page learns
// how long its session has from data-session-seconds, read on the server when the page was
// made. Loaded as a module: the CSP forbids inline script. Without JavaScript nothing changes.
const dialog = document.getElementById("session-timeout");

function describe(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}

if (dialog && typeof dialog.showModal === "function") {
  const warning = dialog.querySelector("[data-timeout-warning]");
  const ended = dialog.querySelector("[data-timeout-ended]");
  const countdown = dialog.querySelector("[data-timeout-countdown]");
  const announce = dialog.querySelector("[data-timeout-announce]");
  const extendForm = dialog.querySelector("[data-timeout-extend]");
  const warnSeconds = Number(dialog.dataset.warnSeconds) || 120;
  let endsAt = 0;
  let warnTimer = 0;
  let tickTimer = 0;
  let lastAnnounced = -1;
  let returnFocus = null;
  let over = false;

  const secondsLeft = () => Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));

  const schedule = (seconds) => {
    window.clearTimeout(warnTimer);
    window.clearInterval(tickTimer);
    over = false;
    endsAt = Date.now() + seconds * 1000;
    warnTimer = window.setTimeout(open, Math.max(0, seconds - warnSeconds) * 1000);
  };

  const tick = () => {
    const left = secondsLeft();
    countdown.textContent = describe(left);
    // Screen readers hear the time at the start and then every 30 seconds, not every second.
    const step = Math.ceil(left / 30);
    if (left > 0 && step !== lastAnnounced) {
      lastAnnounced = step;
      announce.textContent = `We will sign you out in ${describe(left)}.`;
    }
    if (left === 0) showEnded();
  };

  function open() {
    if (dialog.open) return;
    returnFocus = document.activeElement;
    warning.hidden = false;
    ended.hidden = true;
    lastAnnounced = -1;
    dialog.showModal();
    dialog.querySelector("#session-timeout-title").focus();
    tick();
    tickTimer = window.setInterval(tick, 1000);
  }

  function close() {
    window.clearInterval(tickTimer);
    if (dialog.open) dialog.close();
    if (returnFocus instanceof HTMLElement) returnFocus.focus();
  }

  function showEnded() {
    over = true;
    window.clearInterval(tickTimer);
    window.clearTimeout(warnTimer);
    announce.textContent = "";
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
    warning.hidden = true;
    ended.hidden = false;
    ended.querySelector("[data-timeout-ended-title]").focus();
  }

  async function stay() {
    try {
      const response = await fetch(extendForm.action, {
        method: "POST",
        body: new FormData(extendForm),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        // Signed out already: the answer is a redirect to the sign-in page, not a page to read.
        redirect: "manual",
      });
      const answer = response.ok ? await response.json() : null;
      if (!answer || !(answer.seconds_left > 0)) {
        showEnded();
        return;
      }
      close();
      schedule(answer.seconds_left);
    } catch {
      showEnded();
    }
  }

  extendForm.addEventListener("submit", (event) => {
    // "Sign out" posts the same token to the sign-out address: a normal submit.
    if (event.submitter && event.submitter.hasAttribute("data-timeout-sign-out")) return;
    event.preventDefault();
    stay();
  });
  dialog.querySelector("[data-timeout-close]").addEventListener("click", close);
  dialog.addEventListener("cancel", (event) => {
    // Escape: stay signed in while there is time; once signed out, just close.
    event.preventDefault();
    if (over) close();
    else stay();
  });

  schedule(Number(dialog.dataset.sessionSeconds) || 0);
}
