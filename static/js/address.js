/* Address picker: when a province, district or commune is chosen, fetch the places inside it
   and refill the next list, emptying the lists below. Without this script the form still
   works: the person presses "Update the lists" and the server fills them. */
(function () {
  "use strict";

  var LEVELS = ["province", "district", "commune", "village"];

  function setOptions(select, items) {
    var placeholder = select.options.length ? select.options[0] : null;
    while (select.options.length > 1) {
      select.remove(1);
    }
    if (placeholder) {
      placeholder.selected = true;
      placeholder.textContent = select.getAttribute(
        items.length ? "data-placeholder" : "data-placeholder-empty") || placeholder.textContent;
    }
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.code;
      option.textContent = item.name;
      select.appendChild(option);
    });
  }

  function setUp(fieldset) {
    var url = fieldset.getAttribute("data-geo-children");
    var lang = document.documentElement.getAttribute("lang") || "km";
    var selects = LEVELS.map(function (level) {
      return fieldset.querySelector('select[data-geo-level="' + level + '"]');
    });
    var refresh = fieldset.querySelector("[data-geo-refresh]");
    if (!url || selects.indexOf(null) !== -1) {
      return;
    }
    // Answers can arrive out of order; only the one for the latest choice may fill the list.
    var latest = 0;

    function showRefresh(visible) {
      if (refresh) {
        refresh.hidden = !visible;
      }
    }

    selects.slice(0, 3).forEach(function (select, index) {
      select.addEventListener("change", function () {
        var next = selects[index + 1];
        selects.slice(index + 1).forEach(function (below) {
          setOptions(below, []);
        });
        var request = ++latest;
        if (!select.value) {
          return;
        }
        var query = "?level=" + LEVELS[index + 1] + "&parent=" + encodeURIComponent(select.value) +
          "&lang=" + encodeURIComponent(lang);
        fetch(url + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("HTTP " + response.status);
            }
            return response.json();
          })
          .then(function (data) {
            if (request === latest) {
              setOptions(next, data.items || []);
            }
          })
          .catch(function () {
            // Offline or failed: fall back to the server round trip.
            showRefresh(true);
          });
      });
    });
    showRefresh(false);
  }

  document.querySelectorAll("fieldset[data-geo-children]").forEach(setUp);
})();
