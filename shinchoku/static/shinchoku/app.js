// Behaviour for every page, kept out of the HTML: the Content-Security-Policy allows no inline
// script or on…="" handler.
(function () {
  "use strict";
  // <button data-print>: print the page.
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
  // <button data-copy-last="PREFIX" data-done data-next data-confirm> on the progress sheet: copy
  // last year's texts into PREFIX|done and PREFIX|next. An empty field is filled; a field with
  // text is replaced only when the user says so. The input event lets the draft save run.
  document.querySelectorAll("[data-copy-last]").forEach(function (b) { b.hidden = false; });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-copy-last]");
    if (!button) return;
    var prefix = button.getAttribute("data-copy-last");
    ["done", "next"].forEach(function (name) {
      var text = button.getAttribute("data-" + name) || "";
      var field = document.getElementById(prefix + "|" + name);
      if (!field || !text || field.value === text) return;
      if (field.value.trim() !== "" && !window.confirm(button.getAttribute("data-confirm"))) return;
      field.value = text;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
})();
// The header's menu (<details data-site-menu>, open in the HTML so that it works without script):
// folded behind its 「メニュー」 button on a narrow screen, always open on a wide one.
(function () {
  "use strict";
  var menu = document.querySelector("[data-site-menu]");
  if (!menu || !window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 760px)");
  menu.classList.add("folding");
  function fit() { menu.open = !narrow.matches; }
  fit();
  if (narrow.addEventListener) narrow.addEventListener("change", fit);
})();
