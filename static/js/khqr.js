/* The KHQR payment page: a button that copies the code's text, and a quiet check of the payment's state
   that reloads the page when it changes (paid, expired, the amount due changed). Without this file the text
   can still be selected and copied by hand, and "I have paid: check again" reloads the page. */
(function () {
  "use strict";

  var CHECK_EVERY_MS = 5000;
  var GIVE_UP_AFTER_MS = 45 * 60 * 1000; // a code is valid for 30 minutes by default

  function selectAll(event) {
    var field = event.target;
    if (field.matches && field.matches("[data-select-all]")) {
      field.select();
    }
  }

  function copied(button, field) {
    var status = document.querySelector("[data-copy-status='" + field.id + "']");
    if (status) {
      status.textContent = button.getAttribute("data-copied");
    }
  }

  function copy(event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { copied(button, field); }, function () {
        if (document.execCommand("copy")) {
          copied(button, field);
        }
      });
    } else if (document.execCommand("copy")) {
      copied(button, field);
    }
  }

  function showCopyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function watchStatus() {
    var box = document.querySelector("[data-khqr-status]");
    if (!box || !window.fetch) {
      return;
    }
    var url = box.getAttribute("data-khqr-status");
    var drawn = JSON.stringify(JSON.parse(box.getAttribute("data-status")));
    var started = Date.now();

    function check() {
      if (Date.now() - started > GIVE_UP_AFTER_MS) {
        return;
      }
      if (document.hidden) {
        window.setTimeout(check, CHECK_EVERY_MS);
        return;
      }
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.redirected || response.status === 401) {
            window.location.reload(); // signed out (idle): the page must not stay on screen
            return null;
          }
          if (!response.ok || (response.headers.get("Content-Type") || "").indexOf("application/json") !== 0) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(function (now) {
          if (now === null) {
            return;
          }
          if (JSON.stringify(now) !== drawn) {
            window.location.reload();
            return;
          }
          window.setTimeout(check, CHECK_EVERY_MS);
        })
        .catch(function () {
          window.setTimeout(check, CHECK_EVERY_MS * 3); // offline for a moment, or signed out: ask less often
        });
    }

    window.setTimeout(check, CHECK_EVERY_MS);
  }

  document.addEventListener("DOMContentLoaded", showCopyButtons);
  document.addEventListener("DOMContentLoaded", watchStatus);
  document.addEventListener("focusin", selectAll);
  document.addEventListener("click", copy);
})();
