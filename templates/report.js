// Optional comforts; the report reads fully without them.
(function () {
  "use strict";
  function setAll(open) {
    document.querySelectorAll("details").forEach(function (d) { d.open = open; });
  }
  document.querySelectorAll("[data-expand]").forEach(function (b) {
    b.addEventListener("click", function () { setAll(b.getAttribute("data-expand") === "all"); });
  });
  window.addEventListener("beforeprint", function () { setAll(true); });
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, index) {
      th.classList.add("sortable");
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        if (!body) { return; }
        var rows = Array.prototype.slice.call(body.rows);
        var ascending = th.getAttribute("data-order") !== "asc";
        th.setAttribute("data-order", ascending ? "asc" : "desc");
        var key = function (row) {
          var cell = row.cells[index];
          var text = cell ? (cell.getAttribute("data-sort") || cell.textContent || "") : "";
          var number = parseFloat(text.replace(/[\s\u00a0\u202f,]/g, "").replace("%", ""));
          return isNaN(number) ? text.trim().toLowerCase() : number;
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === y) { return 0; }
          return (x > y ? 1 : -1) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  var filter = document.getElementById("finding-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var needle = filter.value.toLowerCase();
      document.querySelectorAll("#findings tbody tr").forEach(function (row) {
        row.style.display = row.textContent.toLowerCase().indexOf(needle) === -1 ? "none" : "";
      });
    });
  }
})();
