// The progress sheet: a draft save that is still on its way when the user presses
// 下書き保存 or 提出する must land first, or the form would carry a stale version and be refused.
(function () {
  "use strict";
  var busy = 0;
  var waiting = null;
  var submitting = false; // issue 12 part 5: the whole form is on its way; no autosave after it
  var dirty = false; // issue 12 part 5: typed since the last save left
  var releasing = false; // issue 12 part 5: the waiting submission is being sent
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.target.id !== "sheet-form") return;
    if (submitting) {
      // A delayed autosave must not overtake the submit with the same version (409).
      e.preventDefault();
      return;
    }
    busy += 1;
    dirty = false; // this save carries everything typed so far
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.target.id !== "sheet-form") return;
    busy = Math.max(0, busy - 1);
    if (busy === 0 && dirty && !waiting && !submitting && window.htmx) {
      // Typed while the save was on its way (htmx drops a trigger while one is in flight): save
      // again once the new version has settled, rather than only on the way out.
      var form = e.target;
      window.setTimeout(function () {
        if (dirty && busy === 0 && !submitting) window.htmx.trigger(form, "change");
      }, 50);
    }
    if (busy === 0 && waiting) {
      var submitter = waiting;
      waiting = null;
      // From now on no draft save starts (a queued one is cancelled): the submission carries
      // the whole form, with the version the last save swapped in.
      submitting = true;
      // Let the out-of-band swap of the new version settle before submitting.
      window.setTimeout(function () {
        releasing = true;
        document.getElementById("sheet-form").requestSubmit(submitter);
      }, 50);
    }
  });
  document.addEventListener("submit", function (e) {
    if (e.target.id !== "sheet-form") return;
    var button = e.submitter || null;
    if (releasing) {
      releasing = false; // the submission that waited for the draft save: let it go
      window.setTimeout(function () {
        if (button) button.disabled = true;
      }, 0);
      return;
    }
    if (submitting || waiting) {
      e.preventDefault(); // a second click while the first is on its way
      return;
    }
    showBusy(e.target, button);
    if (busy > 0) {
      e.preventDefault();
      waiting = button;
      return;
    }
    submitting = true;
    // Disabled only once the form data is taken, so the submission itself goes out.
    window.setTimeout(function () {
      if (button) button.disabled = true;
    }, 0);
  });

  // --- issue 12 part 5: submit shows it is waiting; refused fields are marked beside them ----
  // A save answered 409 (conflict) or 422 (fields refused) still shows its status line: htmx
  // reads only the first htmx-config (base.html's), so the sheet's responseHandling is not seen.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if (e.detail.target && e.detail.target.id === "save-status" && xhr &&
        (xhr.status === 409 || xhr.status === 422)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  function showBusy(form, button) {
    form.setAttribute("aria-busy", "true");
    if (button && button.hasAttribute("data-busy-label")) {
      if (!button.hasAttribute("data-label")) button.setAttribute("data-label", button.textContent);
      button.textContent = button.getAttribute("data-busy-label");
      button.setAttribute("aria-disabled", "true");
    }
  }

  // Back from the next page (bfcache): the buttons work again.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    submitting = false;
    waiting = null;
    var form = document.getElementById("sheet-form");
    if (!form) return;
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button[data-label]").forEach(function (b) {
      b.textContent = b.getAttribute("data-label");
      b.removeAttribute("aria-disabled");
      b.disabled = false;
    });
  });

  function errorId(name) {
    return name + "|error";
  }

  function setDescribedBy(el, id, on) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.unshift(id);
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  }

  // Mark (message) or unmark (null) the field `name` of the sheet form.
  function mark(form, name, message) {
    var fields = Array.prototype.filter.call(form.elements, function (el) {
      return el.name === name;
    });
    if (!fields.length) return;
    var radios = fields[0].type === "radio";
    var holder = radios ? fields[0].closest("fieldset") : fields[0];
    var id = errorId(name);
    var span = document.getElementById(id);
    if (message === null) {
      fields.forEach(function (el) {
        el.removeAttribute("aria-invalid");
      });
      if (holder) setDescribedBy(holder, id, false);
      if (span) span.remove();
      return;
    }
    if (!span) {
      span = document.createElement("span");
      span.className = "field-error";
      span.id = id;
      if (radios && holder) holder.appendChild(span);
      else holder.insertAdjacentElement("afterend", span);
    }
    span.textContent = message;
    fields.forEach(function (el) {
      el.setAttribute("aria-invalid", "true");
    });
    if (holder) setDescribedBy(holder, id, true);
  }

  var KEEP = "shinchoku-refused:" + window.location.pathname;

  // After a draft save: mark what the server refused, unmark the rest, and keep what was typed
  // in a refused field for this tab, so a reload puts it back (and saves again to mark it).
  document.addEventListener("htmx:afterSettle", function () {
    var status = document.getElementById("save-status");
    var form = document.getElementById("sheet-form");
    if (!status || !form || !status.hasAttribute("data-saved")) return;
    var refused = {};
    status.querySelectorAll("[data-field]").forEach(function (li) {
      var name = li.getAttribute("data-field");
      var message = li.getAttribute("data-message") || "";
      refused[name] = refused[name] ? refused[name] + " " + message : message;
    });
    form.querySelectorAll("[aria-invalid=true]").forEach(function (el) {
      if (!(el.name in refused)) mark(form, el.name, null);
    });
    var typed = {};
    Object.keys(refused).forEach(function (name) {
      mark(form, name, refused[name]);
      var el = form.elements.namedItem(name);
      if (el && "value" in el && el.type !== "radio") typed[name] = el.value;
    });
    try {
      if (Object.keys(typed).length) window.sessionStorage.setItem(KEEP, JSON.stringify(typed));
      else window.sessionStorage.removeItem(KEEP);
    } catch (err) {
      /* storage may be off: marking still works */
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("sheet-form");
    var kept = null;
    try {
      kept = JSON.parse(window.sessionStorage.getItem(KEEP) || "null");
    } catch (err) {
      kept = null;
    }
    if (!kept) return;
    var restored = false;
    Object.keys(kept).forEach(function (name) {
      var el = form && form.elements.namedItem(name);
      // A radio group (RadioNodeList) takes its value too: the radio with it is checked.
      if (el && "value" in el && el.type !== "radio" && el.value !== kept[name]) {
        el.value = kept[name];
        restored = true;
      }
    });
    try {
      window.sessionStorage.removeItem(KEEP);
    } catch (err) {
      /* nothing kept */
    }
    // Save again: the server refuses the value once more and the field is marked.
    if (restored && form.hasAttribute("hx-post") && window.htmx) {
      window.htmx.trigger(form, "change");
    }
  });
  function keepForTheTab(form) {
    var values = {};
    try {
      values = JSON.parse(window.sessionStorage.getItem(KEEP) || "{}") || {};
    } catch (err) {
      values = {};
    }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "version" || el.name === "csrfmiddlewaretoken") return;
      if (el.type === "radio") {
        if (el.checked) values[el.name] = el.value;
      } else if ("value" in el && el.type !== "submit" && el.type !== "button") {
        values[el.name] = el.value;
      }
    });
    try {
      window.sessionStorage.setItem(KEEP, JSON.stringify(values));
    } catch (err) {
      /* storage may be off: nothing more can be done while the page goes */
    }
  }
  // Leaving the page within the few seconds before a draft save: the form is sent on the way out.
  function typed(e) {
    if (e.target.form && e.target.form.id === "sheet-form") dirty = true;
  }
  document.addEventListener("input", typed);
  document.addEventListener("change", typed);
  window.addEventListener("pagehide", function () {
    var form = document.getElementById("sheet-form");
    if (!dirty || submitting || !form || !form.hasAttribute("hx-post")) return;
    dirty = false;
    if (busy > 0) {
      // A draft save is still on its way: the one sent now carries the same version and is
      // refused if that save lands first. What the form holds is also kept for the tab, and put
      // back and saved when the user comes back to the sheet (nothing differs if it was saved).
      keepForTheTab(form);
    }
    var url = form.getAttribute("hx-post");
    var body = new URLSearchParams(new FormData(form));
    try {
      if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
        window.fetch(url, { method: "POST", body: body, keepalive: true, credentials: "same-origin" });
      }
    } catch (err) {
      /* nothing more can be done while the page goes */
    }
  });
  // --- end issue 12 part 5 ---------------------------------------------------------------------
})();
// Issue 15 part 2: the sticky 下書き保存 / 提出する bar never covers what the user goes to. The page
// keeps the bar's measured height as its scroll padding (anchors, focus, find), and a field that
// receives the focus under the bar (a click, a tab) is scrolled up above it.
(function () {
  "use strict";
  var bar = document.querySelector(".sheet-actions");
  if (!bar) return;
  var root = document.documentElement;
  function room() { return Math.ceil(bar.getBoundingClientRect().height) + 16; }
  function pad() { root.style.scrollPaddingBottom = room() + "px"; }
  pad();
  window.addEventListener("resize", pad);
  if (window.ResizeObserver) new ResizeObserver(pad).observe(bar);
  document.addEventListener("focusin", function (e) {
    var el = e.target;
    if (!el || bar.contains(el) || !el.getBoundingClientRect) return;
    var r = el.getBoundingClientRect();
    var top = bar.getBoundingClientRect().top;
    var below = r.bottom + 8 - top;
    if (below > 0 && r.top - below >= 0) window.scrollBy(0, below);
  });
})();
// Issue 16 part 4: a draft save sends only the fields changed since the last save that was
// stored (with the version, and partial=1); the server reads and writes only their rows. The
// submit, the overwrite button and the save on the way out still carry the whole form.
(function () {
  "use strict";
  var stored = null; // field name → value as last stored
  var sent = null; // what the save on its way carries
  function values(form) {
    var out = {};
    new FormData(form).forEach(function (v, k) {
      if (typeof v === "string") out[k] = v;
    });
    // An unchecked radio group sends nothing: it reads as blank.
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.type === "radio" && !(el.name in out)) out[el.name] = "";
    });
    return out;
  }
  // The values the server rendered (not what a restored draft put in the fields since).
  function rendered(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === "radio" || el.type === "checkbox") {
        if (!(el.name in out)) out[el.name] = "";
        if (el.defaultChecked) out[el.name] = el.value;
      } else if (el.tagName === "SELECT") {
        var chosen = Array.prototype.find.call(el.options, function (o) {
          return o.defaultSelected;
        });
        out[el.name] = chosen ? chosen.value : el.options.length ? el.options[0].value : "";
      } else if ("defaultValue" in el) {
        out[el.name] = el.defaultValue;
      }
    });
    return out;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("sheet-form");
    if (form && form.hasAttribute("hx-post")) stored = rendered(form);
  });
  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail.elt;
    if (!form || form.id !== "sheet-form" || stored === null) return;
    var fd = e.detail.formData;
    if (!fd || typeof fd.delete !== "function") return;
    var now = values(form);
    sent = {};
    Object.keys(now).forEach(function (name) {
      if (name === "version" || name === "csrfmiddlewaretoken") return;
      if (stored[name] === now[name]) fd.delete(name);
      else sent[name] = now[name];
    });
    fd.set("partial", "1");
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (!form || form.id !== "sheet-form" || sent === null) return;
    // Stored only on a full success; after a refusal the same fields go again next time.
    if (e.detail.xhr && e.detail.xhr.status === 200) {
      Object.keys(sent).forEach(function (name) {
        stored[name] = sent[name];
      });
    }
    sent = null;
  });
})();
