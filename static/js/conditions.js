/* Follow-up questions, shown as soon as the answer they depend on is chosen.
   The step page carries every question of the step; one that depends on another answer sits in a
   `.conditional` box with its condition, made from the service definition, in `data-show-when`
   (see `for_browser` in portal/domain/catalogue/expressions.py for the small language it uses).
   Without this file the page still works: the server shows the new question after "Save and continue". */
(function () {
  "use strict";

  // The inputs of answer `id`: in the same item of a repeating group first (their names end in
  // "-<id>", e.g. "owners-0-nationality"), else on the page (named "<id>").
  function inputsOf(id, box) {
    var item = box.closest(".group-item");
    if (item) {
      var inItem = Array.prototype.filter.call(item.querySelectorAll("[name]"), function (input) {
        var name = input.getAttribute("name");
        return name.slice(-(id.length + 1)) === "-" + id && !input.closest(".conditional[disabled]");
      });
      if (inItem.length) {
        return inItem;
      }
    }
    return Array.prototype.filter.call(box.closest("form").querySelectorAll("[name='" + id + "']"), function (input) {
      return !input.closest(".conditional[disabled]");  // as on the server: a hidden answer is no answer
    });
  }

  function answerOf(id, box) {
    var inputs = inputsOf(id, box);
    if (!inputs.length) {
      return null;
    }
    var first = inputs[0];
    if (first.type === "checkbox" && inputs.length > 1) {
      return inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    if (first.type === "radio" || first.type === "checkbox") {
      var chosen = inputs.filter(function (i) { return i.checked; })[0];
      return chosen ? (first.type === "checkbox" && inputs.length === 1 ? true : chosen.value) : null;
    }
    // Khmer digits read as Latin ones, as the server reads them (a kiosk's digit pad types them in Khmer).
    var value = first.value.trim().replace(/[\u17e0-\u17e9]/g, function (d) { return String(d.charCodeAt(0) - 0x17e0); });
    return value === "" ? null : value;
  }

  function isNumber(value) {
    return typeof value === "number" || (typeof value === "string" && value !== "" && !isNaN(Number(value)));
  }

  function same(a, b) {
    if (a === null || b === null) {
      return a === b;
    }
    if (isNumber(a) && isNumber(b)) {
      return Number(a) === Number(b);
    }
    return String(a) === String(b);
  }

  function contains(list, value) {
    if (Array.isArray(list)) {
      return list.some(function (item) { return same(item, value); });
    }
    return typeof list === "string" && value !== null && list.indexOf(String(value)) !== -1;
  }

  function compare(op, a, b) {
    switch (op) {
      case "==": return same(a, b);
      case "!=": return !same(a, b);
      case "in": return contains(b, a);
      case "not in": return !contains(b, a);
    }
    if (a === null || b === null || !isNumber(a) || !isNumber(b)) {
      return false;  // as on the server: an answer not given yet is not more or less than anything
    }
    a = Number(a);
    b = Number(b);
    return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
  }

  function evaluate(node, box) {
    if ("value" in node) { return node.value; }
    if ("field" in node) { return answerOf(node.field, box); }
    if ("list" in node) { return node.list.map(function (n) { return evaluate(n, box); }); }
    if ("not" in node) { return !truthy(evaluate(node.not, box)); }
    if ("and" in node) { return node.and.every(function (n) { return truthy(evaluate(n, box)); }); }
    if ("or" in node) { return node.or.some(function (n) { return truthy(evaluate(n, box)); }); }
    if ("compare" in node) {
      return compare(node.compare, evaluate(node.left, box), evaluate(node.right, box));
    }
    throw new Error("unknown condition");
  }

  function truthy(value) {
    return !(value === null || value === false || value === "" || value === 0 ||
             (Array.isArray(value) && value.length === 0));
  }

  function update(form) {
    // Boxes in document order: a box inside another is decided after the one around it.
    form.querySelectorAll(".conditional[data-show-when]").forEach(function (box) {
      var shown;
      try {
        shown = truthy(evaluate(JSON.parse(box.getAttribute("data-show-when")), box));
      } catch (error) {
        return;  // leave it as the server decided
      }
      // A hidden box is disabled: nothing in it is sent, its `_shown` marker included, which tells
      // the server whether the person has seen the question (portal/domain/fields/builder.py).
      box.hidden = !shown;
      box.disabled = !shown;
    });
  }

  function start() {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector(".conditional[data-show-when]")) {
        return;
      }
      update(form);
      form.addEventListener("change", function () { update(form); });
      form.addEventListener("input", function () { update(form); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
