// Upload progress for pages that take files (issue 14): a large file can take a minute to send
// on a school's connection, and a page that seems frozen gets submitted twice. The form is sent
// by XMLHttpRequest so its progress can be shown; everything else is what a normal submit does.
// Without JavaScript the form submits normally (progressive enhancement).
const HEADER = "X-Upload-Progress";

function chosenBytes(form) {
  let total = 0;
  for (const input of form.querySelectorAll('input[type="file"]')) {
    for (const file of input.files) total += file.size;
  }
  return total;
}

function megabytes(bytes) {
  return (bytes / (1024 * 1024)).toFixed(1) + " MB";
}

function showPage(html, url) {
  // The server's answer is a page (the form again, with what was wrong): show it as if the
  // browser had navigated there.
  document.open();
  document.write(html);
  document.close();
  if (url) history.replaceState(null, "", url);
}

function send(form, submitter) {
  const total = chosenBytes(form);
  const panel = form.querySelector("[data-upload-progress]");
  const bar = panel.querySelector("progress");
  const status = panel.querySelector("[data-upload-status]");
  panel.hidden = false;
  for (const button of form.querySelectorAll("button")) button.disabled = true;

  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.getAttribute("action") || window.location.href);
  xhr.setRequestHeader(HEADER, "1");
  xhr.upload.addEventListener("progress", (event) => {
    const sent = event.lengthComputable ? event.loaded : 0;
    const percent = total ? Math.min(100, Math.round((100 * sent) / Math.max(event.total, 1))) : 0;
    bar.value = percent;
    status.textContent = `Sending: ${percent}% (${megabytes(sent)} of ${megabytes(event.total || total)})`;
  });
  xhr.upload.addEventListener("load", () => {
    bar.value = 100;
    status.textContent = "Sent. Checking and encrypting the files: this can take a moment.";
  });
  xhr.addEventListener("load", () => {
    const next = xhr.getResponseHeader("X-Upload-Next");
    if (next) {
      window.location.assign(next); // done: where a normal submit would have gone
    } else {
      showPage(xhr.responseText, xhr.responseURL);
    }
  });
  xhr.addEventListener("error", () => {
    status.textContent =
      "The files could not be sent. Check your connection and try again: nothing was saved.";
    for (const button of form.querySelectorAll("button")) button.disabled = false;
  });
  const data = new FormData(form, submitter);
  xhr.send(data);
}

for (const form of document.querySelectorAll("form[data-upload-form]")) {
  form.addEventListener("submit", (event) => {
    if (chosenBytes(form) === 0 || !form.querySelector("[data-upload-progress]")) return;
    event.preventDefault();
    send(form, event.submitter);
  });
}
