/* CityLearn page enhancements. Everything here is optional: every page works without it.
 *
 * 1. "Use my location": shows the button only when geolocation exists, fills the
 *    hidden lat/lng inputs (rounded to about 100 m) and submits the search form.
 * 2. Cleaner URLs: empty fields are left out of GET form submissions.
 * 3. The results map: an inline SVG drawn from the JSON in #map-data, with
 *    markers numbered like the list, the search center and a scale bar.
 *    No tiles, no network.
 * 4. Forms that came back with errors move the focus to their error summary, so
 *    screen readers read it and keyboard users start there.
 * 5. A "Copy" button next to a new API token (the token stays selectable without it).
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var KM_PER_DEG_LAT = 110.574;
  var KM_PER_DEG_LNG = 111.32;
  var KM_PER_MILE = 1.609344;

  function svg(name, attrs, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, String(attrs[key]));
    });
    if (parent) {
      parent.appendChild(node);
    }
    return node;
  }

  /* --- 1. Use my location -------------------------------------------------- */

  function setUpLocate(form) {
    var button = form.querySelector(".locate");
    var status = form.querySelector(".locate-status");
    if (!button || !("geolocation" in navigator) || !form.elements.lat) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      if (status) {
        status.textContent = button.getAttribute("data-locating") || "";
      }
      navigator.geolocation.getCurrentPosition(
        function (position) {
          // Two decimals, about a kilometre: a search URL (and any log of it) never
          // holds a child's street-level position.
          form.elements.lat.value = position.coords.latitude.toFixed(2);
          form.elements.lng.value = position.coords.longitude.toFixed(2);
          if (form.elements.q) {
            form.elements.q.value = "";
          }
          cleanEmptyFields(form);
          form.submit();
        },
        function () {
          button.disabled = false;
          if (status) {
            status.textContent = button.getAttribute("data-failed") || "";
          }
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
      );
    });
  }

  /* --- 2. Leave empty fields out of the URL --------------------------------- */

  function cleanEmptyFields(form) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && !field.disabled && field.value === "" && field.type !== "submit") {
        field.disabled = true;
        field.setAttribute("data-was-empty", "");
      }
    });
  }

  function restoreFields() {
    document.querySelectorAll("[data-was-empty]").forEach(function (field) {
      field.disabled = false;
      field.removeAttribute("data-was-empty");
    });
  }

  /* --- 3. The results map -------------------------------------------------- */

  // The largest "round" distance not above km (at least 100 m).
  function niceStep(km) {
    var steps = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200];
    var best = steps[0];
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i] <= km) {
        best = steps[i];
      }
    }
    return best;
  }

  function formatKm(km, lang) {
    var text = km < 1 ? String(Math.round(km * 1000)) + " m" : String(km) + " km";
    var miles = km / KM_PER_MILE;
    var mi = (miles < 1 ? miles.toFixed(2) : miles.toFixed(1)) + " mi";
    if (lang === "es") {
      text = text.replace(".", ",");
      mi = mi.replace(".", ",");
    }
    return text + " · " + mi;
  }

  function drawMap(figure, data) {
    var markers = (data.markers || []).filter(function (m) {
      return isFinite(m.lat) && isFinite(m.lng);
    });
    if (!markers.length) {
      return;
    }
    var canvas = figure.querySelector(".map-canvas");
    figure.hidden = false; // measure the real width before drawing
    var lang = document.documentElement.lang || "en";
    var center = data.center;
    var lat0 = center ? center.lat : markers[0].lat;
    var lng0 = center ? center.lng : markers[0].lng;
    var cosLat = Math.cos((lat0 * Math.PI) / 180);

    function project(lat, lng) {
      return { x: (lng - lng0) * KM_PER_DEG_LNG * cosLat, y: -(lat - lat0) * KM_PER_DEG_LAT };
    }

    var points = markers.map(function (m) {
      var p = project(m.lat, m.lng);
      return { x: p.x, y: p.y, marker: m };
    });
    var all = points.slice();
    if (center) {
      all.push({ x: 0, y: 0 });
    }
    var minX = Math.min.apply(null, all.map(function (p) { return p.x; }));
    var maxX = Math.max.apply(null, all.map(function (p) { return p.x; }));
    var minY = Math.min.apply(null, all.map(function (p) { return p.y; }));
    var maxY = Math.max.apply(null, all.map(function (p) { return p.y; }));
    var spanX = Math.max(maxX - minX, 0.6);
    var spanY = Math.max(maxY - minY, 0.6);

    // Drawn in screen pixels so markers and text keep their size on any screen.
    var width = Math.round(Math.min(Math.max(canvas.clientWidth || 360, 260), 960));
    var height = Math.round(Math.min(Math.max(width * 0.62, 200), 340));
    var pad = 26;
    var scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad - 18) / spanY); // px per km
    var midX = (minX + maxX) / 2;
    var midY = (minY + maxY) / 2;

    function toPx(p) {
      return {
        x: width / 2 + (p.x - midX) * scale,
        y: (height - 18) / 2 + (p.y - midY) * scale
      };
    }

    var root = svg("svg", {
      viewBox: "0 0 " + width + " " + height,
      width: width,
      height: height,
      "aria-hidden": "true",
      focusable: "false"
    });
    svg("rect", { x: 0, y: 0, width: width, height: height, fill: "#eef3f7" }, root);

    // A faint grid, one line per scale step, so distances read at a glance.
    var step = niceStep(width / 3 / scale);
    var grid = svg("g", { stroke: "#d5dee7", "stroke-width": 1 }, root);
    var origin = toPx({ x: 0, y: 0 });
    var gx = origin.x % (step * scale);
    for (var x = gx; x < width; x += step * scale) {
      svg("line", { x1: x.toFixed(1), y1: 0, x2: x.toFixed(1), y2: height }, grid);
    }
    var gy = origin.y % (step * scale);
    for (var y = gy; y < height; y += step * scale) {
      svg("line", { x1: 0, y1: y.toFixed(1), x2: width, y2: y.toFixed(1) }, grid);
    }

    if (center) {
      var c = toPx({ x: 0, y: 0 });
      if (data.radius_km && data.radius_km * scale < width * 2) {
        svg(
          "circle",
          {
            cx: c.x.toFixed(1),
            cy: c.y.toFixed(1),
            r: (data.radius_km * scale).toFixed(1),
            fill: "none",
            stroke: "#8a9aab",
            "stroke-width": 1.5,
            "stroke-dasharray": "5 4"
          },
          root
        );
      }
      var home = svg("g", { class: "map-center" }, root);
      svg("title", {}, home).textContent = figure.getAttribute("data-label-center") || "";
      svg("circle", { cx: c.x, cy: c.y, r: 15, fill: "#fff", stroke: "#b3261e", "stroke-width": 3 }, home);
      svg("circle", { cx: c.x, cy: c.y, r: 5, fill: "#b3261e" }, home);
    }

    // Listings at the same venue share one marker labelled with the first number.
    var groups = [];
    points.forEach(function (p) {
      var px = toPx(p);
      var near = groups.filter(function (g) {
        return Math.abs(g.x - px.x) < 14 && Math.abs(g.y - px.y) < 14;
      })[0];
      if (near) {
        near.items.push(p.marker);
      } else {
        groups.push({ x: px.x, y: px.y, items: [p.marker] });
      }
    });
    groups.reverse().forEach(function (g) {
      var first = g.items[0];
      var link = svg("a", { href: "#r-" + first.n, class: "map-marker", tabindex: "-1" }, root);
      svg("title", {}, link).textContent = g.items
        .map(function (m) { return m.n + ". " + m.title; })
        .join("\n");
      var label = String(first.n) + (g.items.length > 1 ? "+" : "");
      var r = label.length > 2 ? 14 : 12;
      svg("circle", { cx: g.x.toFixed(1), cy: g.y.toFixed(1), r: r, fill: "#0b57a4", stroke: "#fff", "stroke-width": 2 }, link);
      var text = svg(
        "text",
        {
          x: g.x.toFixed(1),
          y: (g.y + 4).toFixed(1),
          "text-anchor": "middle",
          "font-size": 12,
          "font-weight": 700,
          fill: "#fff"
        },
        link
      );
      text.textContent = label;
    });

    // Scale bar, bottom left, on a white band so it stays legible.
    var barKm = niceStep(width / 3 / scale);
    var barPx = barKm * scale;
    var band = svg("g", {}, root);
    svg("rect", { x: 0, y: height - 22, width: width, height: 22, fill: "#fff", opacity: 0.85 }, band);
    svg("path", {
      d: "M10 " + (height - 14) + " v6 h" + barPx.toFixed(1) + " v-6",
      fill: "none",
      stroke: "#1b1f24",
      "stroke-width": 2
    }, band);
    var scaleText = svg("text", {
      x: (16 + barPx).toFixed(1),
      y: height - 7,
      "font-size": 12,
      fill: "#1b1f24"
    }, band);
    scaleText.textContent = formatKm(barKm, lang);

    canvas.textContent = "";
    canvas.appendChild(root);
    figure.hidden = false;
  }

  function setUpMap() {
    var figure = document.querySelector("[data-map]");
    var source = document.getElementById("map-data");
    if (!figure || !source || !document.createElementNS) {
      return;
    }
    var data;
    try {
      data = JSON.parse(source.textContent || "{}");
    } catch (err) {
      return;
    }
    drawMap(figure, data);
  }

  /* --- 4. Focus the error summary ------------------------------------------- */

  function focusErrors() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary && typeof summary.focus === "function") {
      summary.focus();
    }
  }

  /* --- 5. Copy a token ------------------------------------------------------- */

  function setUpCopy(button) {
    var field = document.getElementById(button.getAttribute("data-copy") || "");
    var status = document.querySelector(".copy-status");
    if (!field || !navigator.clipboard || !window.isSecureContext) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) {
          status.textContent = button.getAttribute("data-copied") || "";
        }
      }, function () {
        field.select();
      });
    });
  }

  function start() {
    document.querySelectorAll("form[data-locate-form]").forEach(setUpLocate);
    document.querySelectorAll("form[method='get']").forEach(function (form) {
      form.addEventListener("submit", function () {
        cleanEmptyFields(form);
      });
    });
    window.addEventListener("pageshow", restoreFields);
    setUpMap();
    focusErrors();
    document.querySelectorAll("button[data-copy]").forEach(setUpCopy);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
