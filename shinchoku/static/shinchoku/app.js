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
// A table frame that scrolls sideways (.table-wrap wider inside than out) can be reached and
// scrolled with the keyboard: it takes the focus, named by its table's caption or the heading
// before it (WCAG 2.1.1; axe-core's scrollable-region-focusable). Checked again on resize.
(function () {
  "use strict";
  function name(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption) return caption.textContent.trim();
    for (var el = wrap.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) return el.textContent.trim();
    }
    var section = wrap.closest("section");
    var heading = section && section.querySelector("h1, h2, h3, h4");
    return heading ? heading.textContent.trim() : "";
  }
  function fit() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        var label = name(wrap);
        if (label) {
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", label);
        }
        wrap.setAttribute("data-scrolls", "");
      } else if (!scrolls && wrap.hasAttribute("data-scrolls")) {
        ["tabindex", "role", "aria-label", "data-scrolls"].forEach(function (a) {
          wrap.removeAttribute(a);
        });
      }
    });
  }
  fit();
  var timer;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(fit, 100);
  });
  document.addEventListener("htmx:afterSettle", fit);
})();
