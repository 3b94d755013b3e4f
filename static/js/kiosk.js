/* Kiosk idle warning (portal.web.kiosk). After KIOSK_IDLE_SECONDS minus the countdown without a touch or
   a key, a full-screen warning counts down; "I am still here" tells the server (its idle clock moves) and
   hides it. At zero, or on "Finish and clear", the session is finished with a POST and the kiosk home
   replaces this page in the history (location.replace), so Back does not come back to it. */
(function () {
  "use strict";
  var body = document.body;
  if (!body.classList.contains("kiosk")) { return; }
  var idle = parseInt(body.getAttribute("data-kiosk-idle"), 10) * 1000;
  var countdown = parseInt(body.getAttribute("data-kiosk-countdown"), 10);
  var home = body.getAttribute("data-kiosk-home");
  var ping = body.getAttribute("data-kiosk-ping");
  var dialog = document.getElementById("kiosk-idle");
  var form = document.querySelector("[data-kiosk-finish]");
  var secondsOut = dialog.querySelector("[data-kiosk-seconds]");
  var stillHere = dialog.querySelector("[data-kiosk-still-here]");
  var digits = document.documentElement.lang === "km" ? "០១២៣៤៥៦៧៨៩" : "0123456789";
  var warnTimer = null, tickTimer = null, left = 0, finishing = false;

  function show(n) {
    secondsOut.textContent = String(n).replace(/[0-9]/g, function (d) { return digits.charAt(+d); });
  }

  function finish() {
    if (finishing) { return; }
    finishing = true;
    fetch(form.action, { method: "POST", credentials: "same-origin", redirect: "manual" })
      .catch(function () { return null; })
      .then(function () { window.location.replace(home); });
  }

  function tick() {
    left -= 1;
    show(Math.max(left, 0));
    if (left <= 0) { clearInterval(tickTimer); finish(); }
  }

  function warn() {
    left = countdown;
    show(left);
    dialog.hidden = false;
    stillHere.focus();
    tickTimer = setInterval(tick, 1000);
  }

  function restart() {
    if (finishing || !dialog.hidden) { return; }
    clearTimeout(warnTimer);
    warnTimer = setTimeout(warn, Math.max(idle - countdown * 1000, 1000));
  }

  stillHere.addEventListener("click", function () {
    clearInterval(tickTimer);
    dialog.hidden = true;
    fetch(ping, { credentials: "same-origin" }).catch(function () { return null; });
    restart();
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); finish(); });
  // Another script of the page ends the person's time here too ("continue on my phone", handoff.js).
  document.addEventListener("kiosk:finish", finish);
  ["pointerdown", "keydown", "touchstart", "input", "scroll"].forEach(function (name) {
    window.addEventListener(name, restart, { passive: true, capture: true });
  });
  restart();
}());
