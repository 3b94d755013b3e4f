/* /track (templates/pages/public/track.html): the receipt's QR code links here with the reference and the
   tracking secret in the fragment (#ref=...&secret=...), which the browser never sends to the server. This
   fills the form from it, then removes the fragment from the address bar and the history entry. */
(function () {
  "use strict";
  var form = document.querySelector("[data-track-form]");
  if (!form || !window.location.hash) { return; }
  var values = new URLSearchParams(window.location.hash.slice(1));
  var reference = form.querySelector("[name=reference]");
  var secret = form.querySelector("[name=secret]");
  if (values.get("ref") && reference) { reference.value = values.get("ref"); }
  if (values.get("secret") && secret) { secret.value = values.get("secret"); }
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  var button = form.querySelector("button[type=submit]");
  if (button && reference && reference.value && secret && secret.value) { button.focus(); }
}());
