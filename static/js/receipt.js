/* The kiosk receipt (templates/pages/kiosk/receipt.html): the Print button opens the browser's print
   dialog, which prints to the kiosk's printer with the page's @page size. The button stays hidden without
   this file, where it could do nothing.

   On a thermal80 kiosk the paper is a roll: one receipt should be one length of it, as long as the
   receipt. Chromium refuses `size: 80mm auto` (docs/kiosks.md, "Printing"), so the length is measured here
   and given as `@page { size: 80mm <length>mm }`, a rule added through the CSSOM (insertRule on the
   receipt's own stylesheet, which the Content-Security-Policy allows; no inline style). To measure the
   receipt as printed, the stylesheets' print rules are applied to the page for a moment (copied as
   `@media all`), the bottom of <main> is read, and they are taken away again: all in one go of the
   script, so the screen never shows it. Measured when the page and its fonts are ready, again before
   printing (the Print button and the browser's own `beforeprint`). Without the script, the stylesheet's
   80 x 297 mm pages stay. */
(function () {
  "use strict";
  var MM = 96 / 25.4;  // CSS pixels per millimetre
  var SLACK = 2;  // mm under the last line: what rounding and the printer's feed may need
  var link = document.querySelector("link[data-printer-kind='thermal80']");
  var pageRule = null;

  function printRules() {
    var copies = [];
    Array.prototype.forEach.call(document.styleSheets, function (sheet) {
      var rules;
      try { rules = sheet.cssRules; } catch (e) { return; }  // another origin's sheet: none of ours
      Array.prototype.forEach.call(rules, function (rule) {
        if (!(rule instanceof CSSMediaRule) || rule.media.mediaText.trim() !== "print") { return; }
        var inner = Array.prototype.filter.call(rule.cssRules, function (r) { return r instanceof CSSStyleRule; })
          .map(function (r) { return r.cssText; }).join("\n");
        if (inner) { copies.push("@media all {\n" + inner + "\n}"); }
      });
    });
    return copies;
  }

  function measure(sheet) {
    var added = 0;
    printRules().forEach(function (text) {
      try { sheet.insertRule(text, sheet.cssRules.length); added += 1; } catch (e) { /* skipped */ }
    });
    var main = document.querySelector("main");
    var bottom = main.getBoundingClientRect().bottom - document.documentElement.getBoundingClientRect().top +
      (parseFloat(window.getComputedStyle(main).marginBottom) || 0);
    for (; added > 0; added -= 1) { sheet.deleteRule(sheet.cssRules.length - 1); }
    return Math.ceil(bottom / MM) + SLACK;
  }

  function size() {
    var sheet = link && link.sheet;
    if (!sheet) { return; }
    if (pageRule !== null) {
      var at = Array.prototype.indexOf.call(sheet.cssRules, pageRule);
      if (at !== -1) { sheet.deleteRule(at); }
      pageRule = null;
    }
    var length = measure(sheet);
    if (!(length > 0)) { return; }
    var index = sheet.insertRule("@page { size: 80mm " + length + "mm; margin: 0; }", sheet.cssRules.length);
    pageRule = sheet.cssRules[index];
    document.documentElement.setAttribute("data-receipt-length-mm", String(length));
  }

  if (link) {
    size();
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(size); }
    window.addEventListener("load", size);
    window.addEventListener("beforeprint", size);
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (link) { size(); }
      window.print();
    });
  });
}());
