// The report editor saves as the writer types: a few seconds after the
// last keystroke and when the page is hidden (a closed tab, a phone put
// away). Every keystroke is also kept in this device's localStorage, so a
// failed save or submission loses nothing; a newer saved version (409
// stale_revision) is never overwritten. Without script the Save button
// does the same by a plain form post.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var key = "dingdian-report-" + form.dataset.report;
  var fields = ["work_done", "problems", "next_steps"];
  var timer = null;
  var dirty = false;
  var stale = false;

  function say(name) {
    if (status) { status.textContent = form.dataset[name] || ""; }
  }
  function values() {
    var v = {};
    fields.forEach(function (f) { v[f] = form.elements[f].value; });
    return v;
  }
  function keep() {
    try {
      var v = values();
      v.revision = form.elements.revision.value;
      localStorage.setItem(key, JSON.stringify(v));
    } catch (e) { /* storage full or private mode: the server copy remains */ }
  }
  function restore() {
    var kept;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    if (!kept || kept.revision !== form.elements.revision.value) { return; }
    var changed = fields.some(function (f) { return kept[f] !== undefined && kept[f] !== form.elements[f].value; });
    if (!changed) { return; }
    fields.forEach(function (f) { if (kept[f] !== undefined) { form.elements[f].value = kept[f]; } });
    dirty = true;
    say("restored");
    schedule();
  }
  function save() {
    timer = null;
    if (!dirty || stale) { return; }
    dirty = false;
    var body = new URLSearchParams();
    body.set("_csrf", form.elements._csrf.value);
    body.set("revision", form.elements.revision.value);
    fields.forEach(function (f) { body.set(f, form.elements[f].value); });
    say("saving");
    fetch(form.dataset.autosave, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: true,
      headers: { "Accept": "application/json" }
    }).then(function (res) {
      return res.json().then(function (j) { return { ok: res.ok, code: res.status, j: j }; });
    }).then(function (r) {
      if (r.ok) {
        form.elements.revision.value = String(r.j.revision);
        keep();
        say(dirty ? "saving" : "saved");
      } else if (r.code === 409 && r.j.error && r.j.error.code === "stale_revision") {
        stale = true;
        say("stale");
      } else {
        dirty = true;
        say("failed");
      }
    }).catch(function () { dirty = true; say("offline"); });
  }
  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 3000);
  }
  form.addEventListener("input", function () { dirty = true; keep(); schedule(); });
  // The form's own post carries the text: no autosave may race it (it
  // would make the post's revision stale).
  form.addEventListener("submit", function () {
    if (timer) { clearTimeout(timer); timer = null; }
    dirty = false;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(); }
  });
  restore();
})();
