// The live alert queue (web/live_alerts.py): the stream says how many alerts wait and the newest one's id; on a
// change the queue's cards are fetched again (a governed, ledgered listing) and swapped in, with a short tone and,
// if the dispatcher allowed it, a browser notification that names no plate. EventSource reconnects by itself.
(function () {
  "use strict";
  const state = document.getElementById("live-state");
  const queue = document.getElementById("queue");
  const notifyButton = document.getElementById("notify");
  let newest = null;

  function say(text) { state.textContent = text; }

  function hideMissingVehicleCrops(root) {
    root.querySelectorAll("img.vehicle").forEach(function (img) {
      img.addEventListener("error", function () {
        const note = document.createElement("p");
        note.className = "muted";
        note.textContent = "No vehicle crop (the read is gone, kept for a case, or had none).";
        img.replaceWith(note);
      }, { once: true });
      if (img.complete && img.naturalWidth === 0) { img.dispatchEvent(new Event("error")); }
    });
  }

  function tone() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.08;
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio here: the visible update is enough */ }
  }

  function notify(count) {
    if (!("Notification" in window) || Notification.permission !== "granted") { return; }
    new Notification("platewarden: a new hotlist alert", { body: count + " alert(s) wait for review", tag: "alerts" });
  }

  async function refresh(count) {
    const res = await fetch("/alerts/queue", { credentials: "same-origin", headers: { "Accept": "text/html" } });
    if (!res.ok) { say("Could not load the queue (" + res.status + "): reload the page."); return; }
    queue.innerHTML = await res.text();
    hideMissingVehicleCrops(queue);
    say("Live: " + count + " alert(s) waiting, updated " + new Date().toLocaleTimeString() + ".");
  }

  hideMissingVehicleCrops(document);
  if ("Notification" in window && Notification.permission === "default") {
    notifyButton.hidden = false;
    notifyButton.addEventListener("click", function () {
      Notification.requestPermission().then(function () { notifyButton.hidden = true; });
    });
  }
  if (!("EventSource" in window)) { say("This browser cannot receive live updates: reload the page."); return; }
  say("Connecting to live updates...");
  const stream = new EventSource("/alerts/stream");
  stream.addEventListener("queue", function (ev) {
    const data = JSON.parse(ev.data);
    const shown = queue.querySelectorAll("[data-alert]").length;
    const missing = data.newest !== null && !document.getElementById("alert-" + data.newest);
    const arrived = missing && data.newest !== newest;
    newest = data.newest;
    if (!missing && shown === data.pending) {  // the page already shows this queue
      say("Live: " + data.pending + " alert(s) waiting.");
      return;
    }
    refresh(data.pending).then(function () {  // a new alert, or others decided some meanwhile
      if (arrived) { tone(); notify(data.pending); }
    });
  });
  stream.addEventListener("end", function () {
    stream.close();
    say("Signed out: live updates stopped. Sign in again to continue.");
  });
  stream.onerror = function () { say("Connection lost: reconnecting..."); };
})();
