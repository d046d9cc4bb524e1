// The progress sheet: a draft save that is still on its way when the user presses
// 下書き保存 or 提出する must land first, or the form would carry a stale version and be refused.
(function () {
  "use strict";
  var busy = 0;
  var waiting = null;
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.target.id === "sheet-form") busy += 1;
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.target.id !== "sheet-form") return;
    busy = Math.max(0, busy - 1);
    if (busy === 0 && waiting) {
      var submitter = waiting;
      waiting = null;
      // Let the out-of-band swap of the new version settle before submitting.
      window.setTimeout(function () {
        document.getElementById("sheet-form").requestSubmit(submitter);
      }, 50);
    }
  });
  document.addEventListener("submit", function (e) {
    if (e.target.id !== "sheet-form" || busy === 0) return;
    e.preventDefault();
    waiting = e.submitter || null;
  });
})();
