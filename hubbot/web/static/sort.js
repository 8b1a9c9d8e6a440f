// Sortable tables: the button in each header cell of a table[data-sortable] sorts its rows by
// that column (by each cell's data-sort when it has one, numbers as numbers), again to reverse.
// The order is kept when a live update replaces the table.
(function () {
  "use strict";
  var orders = {};  // table id -> { column, direction }

  function value(cell) {
    var text = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    var number = Number(text);
    return text !== "" && !isNaN(number) ? number : text.toLowerCase();
  }

  function compare(a, b) {
    if (typeof a !== typeof b) { a = String(a); b = String(b); }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function apply(table) {
    var order = orders[table.id];
    if (!order) return;
    var body = table.tBodies[0];
    Array.prototype.slice.call(body.rows)
      .sort(function (x, y) {
        return order.direction * compare(value(x.cells[order.column]), value(y.cells[order.column]));
      })
      .forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute("aria-sort", i !== order.column ? "none" : order.direction > 0 ? "ascending" : "descending");
    });
  }

  function setup() {
    document.querySelectorAll("table[data-sortable][id]").forEach(function (table) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
        var button = th.querySelector("button");
        if (!button || button.hasAttribute("data-ready")) return;
        button.setAttribute("data-ready", "");
        button.addEventListener("click", function () {
          var order = orders[table.id];
          var direction = order && order.column === column ? -order.direction : 1;
          orders[table.id] = { column: column, direction: direction };
          apply(table);
        });
      });
      apply(table);
    });
  }

  document.addEventListener("DOMContentLoaded", setup);
  document.addEventListener("live:updated", setup);
})();
