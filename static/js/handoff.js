/* "Continue on my phone" on a kiosk (portal/web/kiosk/handoff.py): asks the link's state every few seconds
   (a passive request: it moves no idle clock). Used on the phone: the kiosk finishes as "Finish and clear"
   does (kiosk.js: POST /kiosk/finish, then the kiosk home replaces this page). Cancelled or expired: back to
   the application. Without this file the page still works: "Cancel", or "Finish and clear". */
(function () {
  "use strict";
  var box = document.querySelector("[data-handoff-status]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-handoff-status");
  var every = (parseInt(box.getAttribute("data-handoff-every"), 10) || 3) * 1000;
  var back = box.getAttribute("data-handoff-back");

  function check() {
    if (document.hidden) { window.setTimeout(check, every); return; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (now) {
        if (now.state === "used") {
          document.dispatchEvent(new CustomEvent("kiosk:finish"));
        } else if (now.state === "open") {
          window.setTimeout(check, every);
        } else {
          window.location.replace(back);
        }
      })
      .catch(function () { window.setTimeout(check, every * 3); });
  }

  window.setTimeout(check, every);
}());
