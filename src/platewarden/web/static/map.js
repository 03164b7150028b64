// Maps with streets (web/maps.py): reads each map's JSON block and draws it with the vendored Leaflet. Without
// Leaflet the SVG fallback stays; without tiles the cameras and tracks are drawn on a plain background.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  const COLOURS = ["#c53030", "#2c7a7b", "#6b46c1", "#b7791f", "#2f855a"];

  function bearing(a, b) {  // degrees clockwise from north, for the arrow on a leg
    const toRad = Math.PI / 180;
    const y = Math.sin((b.lon - a.lon) * toRad) * Math.cos(b.lat * toRad);
    const x = Math.cos(a.lat * toRad) * Math.sin(b.lat * toRad) -
      Math.sin(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.cos((b.lon - a.lon) * toRad);
    return Math.atan2(y, x) / toRad;
  }

  function legText(leg) {
    let text = leg.km + " km in " + leg.minutes + " min";
    if (leg.kmh !== null) { text += ", " + leg.kmh + " km/h"; }
    if (leg.impossible) { text += ": IMPOSSIBLE TRAVEL (cloned plate or misread?)"; }
    return text;
  }

  document.querySelectorAll(".map-block").forEach(function (block) {
    const data = JSON.parse(block.querySelector(".map-data").textContent);
    const box = block.querySelector(".map-live");
    const note = block.querySelector(".map-note");
    box.hidden = false;
    const map = L.map(box, { scrollWheelZoom: false });
    if (data.tiles) {
      const layer = L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 });
      let warned = false;
      layer.on("tileerror", function () {
        if (warned) { return; }
        warned = true;
        note.textContent = "Map tiles could not be loaded: cameras and tracks are shown on a plain background.";
        note.hidden = false;
      });
      layer.addTo(map);
    }
    const bounds = [];
    data.cameras.forEach(function (c) {
      bounds.push([c.lat, c.lon]);
      L.circleMarker([c.lat, c.lon], { radius: 6, color: "#2b6cb0", fillOpacity: 0.8, className: "map-camera" })
        .bindTooltip(c.name + " (" + c.id + ")").addTo(map);
    });
    (data.zones || []).forEach(function (z) {
      z.polygon.forEach(function (v) { bounds.push(v); });
      const live = z.status === "active";
      L.polygon(z.polygon, { color: live ? "#c05621" : "#718096", weight: 2, fillOpacity: live ? 0.15 : 0.05,
        dashArray: live ? null : "6 4", className: "map-zone" }).bindTooltip(z.name + " (" + z.status + ")").addTo(map);
    });
    data.tracks.forEach(function (track, t) {
      const colour = COLOURS[t % COLOURS.length];
      track.points.forEach(function (p, i) {
        bounds.push([p.lat, p.lon]);
        L.circleMarker([p.lat, p.lon], { radius: 9, color: colour, fillOpacity: 0.9, className: "map-sighting" })
          .bindTooltip((i + 1) + ". " + track.plate + " at " + p.camera + ", " + p.time + " UTC").addTo(map);
        if (i === 0) { return; }
        const prev = track.points[i - 1];
        const leg = p.leg;
        const bad = leg && leg.impossible;
        L.polyline([[prev.lat, prev.lon], [p.lat, p.lon]], {
          color: bad ? "#e53e3e" : colour, weight: bad ? 5 : 3, dashArray: bad ? "8 6" : null,
          className: bad ? "map-leg map-leg-impossible" : "map-leg"
        }).bindTooltip(leg ? legText(leg) : "").addTo(map);
        const arrow = L.divIcon({ className: "map-arrow", iconSize: [18, 18],
          html: '<span style="display:inline-block;transform:rotate(' + (bearing(prev, p) - 90) + 'deg);color:' +
                (bad ? "#e53e3e" : colour) + '">&#10148;</span>' });
        L.marker([(prev.lat + p.lat) / 2, (prev.lon + p.lon) / 2], { icon: arrow, interactive: false }).addTo(map);
      });
    });
    if (bounds.length === 1) { map.setView(bounds[0], 15); } else if (bounds.length) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
    } else { map.setView([0, 0], 2); }
    const fallback = block.querySelector(".map-fallback");
    if (fallback) { fallback.hidden = true; }
  });
})();
