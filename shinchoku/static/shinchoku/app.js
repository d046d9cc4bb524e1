// Behaviour for every page, kept out of the HTML: the Content-Security-Policy allows no inline
// script or on…="" handler.
(function () {
  "use strict";
  // <button data-print>: print the page.
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
})();
