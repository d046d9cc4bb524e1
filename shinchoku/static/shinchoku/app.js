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
// The header's menu (<details data-site-menu>) is rendered closed and needs no script: on a wide
// screen app.css shows its links whatever its state, on a phone its 「メニュー」 summary opens it.
// Script only closes it again when the user presses Escape or clicks elsewhere.
(function () {
  "use strict";
  var menu = document.querySelector("[data-site-menu]");
  if (!menu) return;
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
  });
  document.addEventListener("click", function (e) {
    if (menu.open && !menu.contains(e.target)) menu.open = false;
  });
})();
// A form sent back with errors (components/error_summary.html): its summary takes the focus, so
// that a screen reader reads what is wrong and each link leads to its field. After an htmx swap
// only a summary inside the swapped part does.
(function () {
  "use strict";
  function focusSummary(root) {
    var summary = root.querySelector && root.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  focusSummary(document);
  document.addEventListener("htmx:afterSettle", function (e) { focusSummary(e.target); });
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
// A table frame or a report chart that scrolls sideways (wider inside than out) can be reached and
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
    document.querySelectorAll(".table-wrap, .report .chart-figure").forEach(function (wrap) {
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
