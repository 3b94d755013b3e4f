/* Digit pads on a kiosk (components/forms.html renders them, hidden, under each field that takes digits).
   A key types its digit where the caret was in its field (at the end if the field never had the caret),
   "Clear" empties the field, the back key removes the character before the caret. The field's own
   keyboard still works. Each change fires "input" and "change" on the field, as typing does, so
   conditions.js sees it. The field is not focused by a key: on a touch screen that would open the
   system's keyboard, which the pad is there to avoid. */
(function () {
  "use strict";

  function caretOf(input) {
    var start = input.getAttribute("data-caret");
    if (start === null) { return input.value.length; }
    return Math.min(parseInt(start, 10), input.value.length);
  }

  function remember(input) {
    try {
      if (typeof input.selectionStart === "number") {
        input.setAttribute("data-caret", String(input.selectionStart));
      }
    } catch (e) { /* some input types have no selection */ }
  }

  function changed(input, caret) {
    input.setAttribute("data-caret", String(caret));
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.querySelectorAll("[data-keypad]").forEach(function (pad) {
    var input = document.getElementById(pad.getAttribute("data-keypad"));
    if (!input) { return; }
    ["keyup", "click", "select", "focus"].forEach(function (name) {
      input.addEventListener(name, function () { remember(input); });
    });
    input.addEventListener("input", function (event) { if (event.isTrusted) { remember(input); } });
    pad.hidden = false;

    pad.addEventListener("click", function (event) {
      var key = event.target.closest("button");
      if (!key || !pad.contains(key) || input.disabled || input.readOnly) { return; }
      var value = input.value;
      var caret = caretOf(input);
      if (key.hasAttribute("data-key-clear")) {
        input.value = "";
        changed(input, 0);
      } else if (key.hasAttribute("data-key-back")) {
        if (caret > 0) {
          input.value = value.slice(0, caret - 1) + value.slice(caret);
          changed(input, caret - 1);
        }
      } else {
        var text = key.getAttribute("data-key");
        var limit = input.maxLength > 0 ? input.maxLength : Infinity;
        if (value.length + text.length > limit) { return; }
        input.value = value.slice(0, caret) + text + value.slice(caret);
        changed(input, caret + text.length);
      }
    });
  });
}());
