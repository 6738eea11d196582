// Progressive enhancement for the case list: the page works fully without this file.
// 1. A change to a checkbox or radio applies the filters at once.
// 2. Long facet lists (countries, organisations) get a box that filters the list as you type.
(function () {
  "use strict";
  var form = document.getElementById("case-search");
  if (!form) { return; }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches('.facet input[type="checkbox"], .facet input[type="radio"], #id_sort, #id_per_page')) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  Array.prototype.forEach.call(form.querySelectorAll(".facet--searchable"), function (facet, index) {
    var items = facet.querySelectorAll(".facet__values li");
    if (items.length <= 8) { return; }
    var legend = facet.querySelector("legend");
    var id = "facet-filter-" + index;
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.className = "visually-hidden";
    label.textContent = "Find in " + (legend ? legend.textContent.trim() : "this list");
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.className = "facet__filter";
    input.placeholder = "Find…";
    input.autocomplete = "off";
    var details = facet.querySelector("details");
    (legend || facet).insertAdjacentElement("afterend", input);
    input.insertAdjacentElement("beforebegin", label);
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      if (details && needle) { details.open = true; }
      Array.prototype.forEach.call(items, function (item) {
        item.hidden = needle !== "" && item.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
    // Typing in the box must not submit the form on Enter.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  });
})();
