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
// The plan editor's forms (issue 15 part 2): a link with hx-target="#editor-slot" opens its form
// next to what was clicked (after the row's table, or after the clicked line), scrolled into view,
// with the focus on its first field; Esc or 取消 closes it and gives the focus back to the link.
(function () {
  "use strict";
  var opener = null;
  function slot() { return document.getElementById("editor-slot"); }
  function placeFor(link) {
    var frame = link.closest("tr") && link.closest(".table-frame, .table-wrap, table");
    return frame || link.closest(".edit-block, h3, p, li, .toolbar") || link;
  }
  function close() {
    var s = slot();
    if (!s) return;
    s.innerHTML = "";
    if (opener && document.contains(opener)) opener.focus();
  }
  function focusFirst(root) {
    var field = root.querySelector("[aria-invalid=true], .has-error input, .has-error textarea, .has-error select") ||
      root.querySelector("input:not([type=hidden]):not([disabled]), select, textarea, button");
    if (field) field.focus({ preventScroll: true });
    var form = root.querySelector(".edit-form") || root;
    form.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var link = e.detail.elt;
    var s = slot();
    if (!s || !link || link.getAttribute("hx-target") !== "#editor-slot") return;
    opener = link;
    var place = placeFor(link);
    if (place && place !== s && !place.contains(s) && place.parentNode) place.after(s);
  });
  // htmx:load fires on the new content: the form that opened, or the form answered with errors.
  document.addEventListener("htmx:load", function (e) {
    var s = slot();
    if (s && s.contains(e.target) && s.querySelector(".edit-form")) focusFirst(s);
  });
  document.addEventListener("click", function (e) {
    var s = slot();
    var cancel = e.target.closest && e.target.closest(".edit-form .actions a");
    if (!s || !cancel || !s.contains(cancel)) return;
    e.preventDefault();
    close();
  });
  document.addEventListener("keydown", function (e) {
    var s = slot();
    if (e.key === "Escape" && s && s.contains(document.activeElement) && s.querySelector(".edit-form")) {
      e.preventDefault();
      close();
    }
  });
})();
