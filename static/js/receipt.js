/* The kiosk receipt (templates/pages/kiosk/receipt.html): the Print button opens the browser's print
   dialog, which prints to the kiosk's printer with the page's @page size. The button stays hidden without
   this file, where it could do nothing. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
