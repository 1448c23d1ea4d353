// Progressive enhancement only: every page works without this file.
// When a form comes back with problems, move focus to the error summary so screen readers announce it.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
});

// On a phone, tables stack into one card per row: each cell is labelled with its column's heading.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.table").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (headings.length === 0) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (headings[index]) { cell.setAttribute("data-label", headings[index]); }
      });
    });
    table.classList.add("stack");
  });
});

// On a phone the header's links fold behind a Menu button; without this file they simply wrap.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) { return; }
  var narrow = window.matchMedia("(max-width: 40em)");
  function fold() {
    if (narrow.matches) {
      button.hidden = false;
      menu.classList.toggle("folded", button.getAttribute("aria-expanded") !== "true");
    } else {
      button.hidden = true;
      menu.classList.remove("folded");
    }
  }
  button.addEventListener("click", function () {
    button.setAttribute("aria-expanded", button.getAttribute("aria-expanded") === "true" ? "false" : "true");
    fold();
  });
  if (narrow.addEventListener) { narrow.addEventListener("change", fold); }
  fold();
});
