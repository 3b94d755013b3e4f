/* Small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // A re-rendered form with errors: move focus to the summary so screen readers announce it
  // and keyboard users start from the list of problems.
  function focusAutofocus() {
    var target = document.querySelector("[data-autofocus]");
    if (target) {
      target.focus();
    }
  }

  // A link in the error summary: focus the field and scroll its label (or legend) into view,
  // instead of the browser's jump that hides the label above the top of the screen.
  function focusFieldFromSummary(event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    var input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    var caption = target.closest("fieldset") ? target.closest("fieldset").querySelector("legend") : null;
    if (!caption && input && input.id) {
      caption = document.querySelector("label[for='" + input.id + "']");
    }
    event.preventDefault();
    (caption || target).scrollIntoView();
    (input || target).focus({ preventScroll: true });
  }

  // A second tap on a slow connection must not send the same form twice.
  function preventDoubleSubmit(event) {
    var form = event.target;
    if (form.hasAttribute("data-submitted")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitted", "");
    // A download or a slow answer leaves the page in place: let the person try again later.
    window.setTimeout(function () { form.removeAttribute("data-submitted"); }, 10000);
  }

  // A link whose secret follows '#' (a password reset): browsers never send the fragment, so the
  // secret reaches no server or proxy log. Put it into the page's form, take it out of the address
  // bar and the history, and send the form, as the person would by pasting the link.
  function submitSecretFromFragment() {
    var form = document.querySelector("form[data-fill-from-fragment]");
    var secret = window.location.hash.slice(1);
    if (!form || !secret) {
      return;
    }
    var input = form.querySelector("[name='" + form.getAttribute("data-fill-from-fragment") + "']");
    if (!input || input.value) {
      return;
    }
    input.value = secret;
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  document.addEventListener("DOMContentLoaded", focusAutofocus);
  document.addEventListener("DOMContentLoaded", submitSecretFromFragment);
  document.addEventListener("click", focusFieldFromSummary);
  document.addEventListener("submit", preventDoubleSubmit);
  // Back to a page from the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      form.removeAttribute("data-submitted");
    });
  });
})();
