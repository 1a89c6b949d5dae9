/* Behaviour of the carrier map (our own; loaded after Leaflet and markercluster).
 *
 * CarrierMap.carriers  markers from named columns ({lat: [...], lon: [...], ...}),
 *                      popups built only when opened;
 * CarrierMap.towns     the towns from integer outlines, coloured by progress, with a
 *                      tooltip of their figures (clicks go on to the map);
 * CarrierMap.points    many carriers from compact arrays (positions and kinds only);
 *                      only what is on screen is drawn: one cluster per 80 px cell,
 *                      ringed in its mix of types, and single carriers as pins;
 * CarrierMap.labels    town labels (name, figure, band) that never overlap: after each
 *                      zoom or move, a label that would touch a larger town's label
 *                      first drops its figure line, then moves a line up or down,
 *                      then hides; only towns on screen with room for a label get one;
 * CarrierMap.fit       the first view: the area fitted at once, before any layer;
 * CarrierMap.keepClear the presentation legend never covers the area first shown:
 *                      when it would, the area is fitted again beside it (or above
 *                      it, whichever leaves it larger);
 * CarrierMap.wheel     the mouse wheel scrolls the page until the map is clicked
 *                      (or with Ctrl held), with a hint saying so;
 * and clicking a map that is partly off screen no longer scrolls the page under the
 * pointer (Leaflet's keyboard focus).
 * Every string passed in is already escaped for HTML by the Python side.
 */
window.CarrierMap = (function () {
  "use strict";

  // Leaflet focuses the map on mousedown for its arrow keys, and the browser then scrolls
  // the page to show the whole map: the press and the release land on different places
  // (another town, or none). Focus without scrolling.
  if (L.Map.Keyboard) {
    L.Map.Keyboard.prototype._onMouseDown = function () {
      if (!this._focused) { this._map._container.focus({preventScroll: true}); }
    };
  }

  function line(label, value) {
    return "<tr><th>" + label + "</th><td>" + value + "</td></tr>";
  }

  function carriers(map, c, o) {
    var group = o.cluster ? L.markerClusterGroup({showCoverageOnHover: false})
                          : L.featureGroup();
    c.lat.forEach(function (lat, i) {
      var type = o.types[c.type[i]];
      var icon = L.divIcon({
        className: "carrier-marker" + (c.counts[i] ? "" : " carrier-muted"),
        html: '<span class="carrier-pin" style="background:' + type.colour
          + '"><i class="fa-solid ' + type.icon + '"></i></span>',
        iconSize: [28, 28], iconAnchor: [14, 14], popupAnchor: [0, -14]
      });
      var marker = L.marker([lat, c.lon[i]], {icon: icon, riseOnHover: true});
      marker.bindTooltip("<b>" + c.name[i] + "</b><br>" + type.label + " · " + c.area[i]
        + " · " + o.statuses[c.status[i]]);
      marker.bindPopup(function () {
        var l = o.labels;
        return '<div class="carrier-popup"><h4>' + c.name[i] + "</h4><table>"
          + line(l.id, c.id[i]) + line(l.type, type.label) + line(l.area, c.area[i])
          + line(l.opened, c.opened[i]) + line(l.status, o.statuses[c.status[i]])
          + line(l.town, o.towns[c.town[i]] || "—") + line(l.reason, o.reasons[c.reason[i]])
          + "</table></div>";
      }, {maxWidth: 340});
      group.addLayer(marker);
    });
    group.addTo(map);
    tooltipsInside(map);
    drawn(map);
    return group;
  }

  function outline(steps, t) {
    var latlngs = new Array(steps.length / 2), x = 0, y = 0;
    for (var i = 0; i < steps.length; i += 2) {
      x += steps[i];
      y += steps[i + 1];
      latlngs[i / 2] = [t.y0 + y * t.scale, t.x0 + x * t.scale];
    }
    return latlngs;
  }

  function towns(map, t, o) {
    var group = L.featureGroup();
    t.shapes.forEach(function (polygons, i) {
      if (!polygons.length) { return; }
      var band = t.band[i], focused = i === t.focus;
      var style = {fillColor: o.colours[band] || o.missing, color: o.ink,
        weight: focused ? 4 : 1.5, fillOpacity: 0.6,
        className: "town-area town-" + i + " band-" + (band || "null")};
      var layer = L.polygon(polygons.map(function (rings) {
        return rings.map(function (steps) { return outline(steps, t); });
      }), style);
      var values = [t.label[i], o.bands[band] || "—", t.area[i], t.target[i]];
      layer.bindTooltip("<table>" + values.map(function (value, k) {
        return line(o.aliases[k], value);
      }).join("") + "</table>", {sticky: true});
      layer.on("mouseover", function () { layer.setStyle({weight: 4, fillOpacity: 0.75}); });
      layer.on("mouseout", function () {
        layer.setStyle({weight: style.weight, fillOpacity: style.fillOpacity});
      });
      group.addLayer(layer);
    });
    return group.addTo(map);
  }

  // A marker's tooltip opens beside it, centred on it: tall ones (a cluster's, a type a
  // line) near the top or bottom edge were cut off. Moved up or down to stay inside.
  var tooltipsKept = new WeakSet();

  function tooltipsInside(map) {
    if (tooltipsKept.has(map)) { return; }
    tooltipsKept.add(map);
    map.on("tooltipopen", function (event) {
      var tip = event.tooltip;
      if (tip.options.sticky) { return; }  // town tooltips follow the pointer
      if (!tip.baseOffset) { tip.baseOffset = L.point(tip.options.offset); }
      tip.options.offset = tip.baseOffset;
      tip.update();
      var box = tip.getElement().getBoundingClientRect();
      var frame = map.getContainer().getBoundingClientRect(), dy = 0;
      if (box.top < frame.top) {
        dy = frame.top - box.top + 4;
      } else if (box.bottom > frame.bottom) {
        dy = frame.bottom - box.bottom - 4;
      }
      if (dy) {
        tip.options.offset = tip.baseOffset.add([0, dy]);
        tip.update();
      }
    });
  }

  function decode(base64, Type) {
    var text = window.atob(base64), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    return new Type(bytes.buffer);
  }

  function drawn(map) {
    map.getContainer().setAttribute("data-carriers", "drawn");
  }

  function clusterIcon(cell, o) {
    var total = cell.count, stops = [], start = 0;
    cell.types.forEach(function (count, t) {
      if (!count) { return; }
      var end = start + 360 * count / total;
      stops.push(o.types[t].colour + " " + start.toFixed(1) + "deg " + end.toFixed(1) + "deg");
      start = end;
    });
    var size = Math.round(30 + 8 * Math.log10(total));
    return L.divIcon({
      className: "carrier-cluster",
      html: '<span class="ring" style="background:conic-gradient(' + stops.join(",")
        + ')"><span class="count">' + total.toLocaleString("en-US") + "</span></span>",
      iconSize: [size, size], iconAnchor: [size / 2, size / 2]
    });
  }

  function clusterTooltip(cell, o) {
    var parts = cell.types.map(function (count, t) {
      return count ? o.types[t].label + " " + count.toLocaleString("en-US") : "";
    }).filter(Boolean);
    return "<b>" + o.labels.cluster.replace("{count}", cell.count.toLocaleString("en-US"))
      .replace("{counted}", cell.counted.toLocaleString("en-US")) + "</b><br>"
      + parts.join("<br>") + "<br>" + o.labels.zoom;  // one type a line: narrow enough
                                                      // to fit beside a cluster at a side
  }

  // Many carriers: one cluster per CELL × CELL pixels on screen, computed for what is in
  // view at each move (a single pass over typed arrays; no index to build first).
  var CELL = 80;

  function points(map, p, o) {
    var xy = decode(p.xy, Int32Array), kind = decode(p.kind, Uint8Array), n = kind.length;
    var lat = new Float64Array(n), lon = new Float64Array(n);
    var mx = new Float64Array(n), my = new Float64Array(n);  // Web Mercator, 0…1
    for (var i = 0; i < n; i++) {
      lon[i] = p.x0 + xy[2 * i] * p.scale;
      lat[i] = p.y0 + xy[2 * i + 1] * p.scale;
      var sin = Math.sin(lat[i] * Math.PI / 180);
      mx[i] = lon[i] / 360 + 0.5;
      my[i] = 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
    }
    var layer = L.layerGroup().addTo(map);
    tooltipsInside(map);

    function cells() {
      var view = map.getBounds().pad(0.2), west = view.getWest(), east = view.getEast();
      var south = view.getSouth(), north = view.getNorth();
      var per = 256 * Math.pow(2, Math.floor(map.getZoom())) / CELL;
      var index = new Map(), found = [];
      for (var i = 0; i < n; i++) {
        if (lat[i] < south || lat[i] > north || lon[i] < west || lon[i] > east) { continue; }
        var key = Math.floor(mx[i] * per) * 4194304 + Math.floor(my[i] * per);
        var cell = index.get(key);
        if (cell === undefined) {
          cell = {key: key, first: i, count: 0, lat: 0, lon: 0, types: [0, 0, 0, 0], counted: 0,
            south: lat[i], north: lat[i], west: lon[i], east: lon[i]};
          index.set(key, cell);
          found.push(cell);
        }
        cell.count += 1;
        cell.lat += lat[i];
        cell.lon += lon[i];
        cell.types[kind[i] >> 1] += 1;
        cell.counted += kind[i] & 1;
        cell.south = Math.min(cell.south, lat[i]);
        cell.north = Math.max(cell.north, lat[i]);
        cell.west = Math.min(cell.west, lon[i]);
        cell.east = Math.max(cell.east, lon[i]);
      }
      return found;
    }
    function pin(i) {
      var type = o.types[kind[i] >> 1], counts = kind[i] & 1;
      var icon = L.divIcon({
        className: "carrier-marker" + (counts ? "" : " carrier-muted"),
        html: '<span class="carrier-pin" style="background:' + type.colour
          + '"><i class="fa-solid ' + type.icon + '"></i></span>',
        iconSize: [28, 28], iconAnchor: [14, 14]
      });
      // The click goes on to the map, which opens the carrier's town.
      return L.marker([lat[i], lon[i]], {icon: icon, bubblingMouseEvents: true, keyboard: false})
        .bindTooltip(type.label + " · " + (counts ? o.labels.counts : o.labels.notCounted)
          + "<br>" + o.labels.hint);
    }
    function cluster(cell) {
      var centre = [cell.lat / cell.count, cell.lon / cell.count];
      var marker = L.marker(centre, {icon: clusterIcon(cell, o), keyboard: false});
      marker.bindTooltip(function () { return clusterTooltip(cell, o); });
      marker.on("click", function () {
        if (cell.north - cell.south > 1e-7 || cell.east - cell.west > 1e-7) {
          map.fitBounds([[cell.south, cell.west], [cell.north, cell.east]], {padding: [40, 40]});
        } else {
          map.setView(centre, map.getMaxZoom());
        }
      });
      return marker;
    }
    // Markers still right after a move (same zoom, cell and count) stay; only the rest
    // are removed or made, so panning redraws the edges, not the whole screen.
    var drawnCells = new Map();
    function draw() {
      var zoom = Math.floor(map.getZoom()), next = new Map();
      cells().forEach(function (cell) {
        var id = zoom + ":" + cell.key + ":" + cell.count;
        var marker = drawnCells.get(id);
        if (marker === undefined) {
          marker = cell.count === 1 ? pin(cell.first) : cluster(cell);
          layer.addLayer(marker);
        }
        next.set(id, marker);
      });
      drawnCells.forEach(function (marker, id) {
        if (!next.has(id)) { layer.removeLayer(marker); }
      });
      drawnCells = next;
    }
    map.on("moveend", draw);
    draw();
    drawn(map);
    return layer;
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  // A label is drawn only while its town is on screen and has room for it: a circle
  // of ROOM px across around the label point inside the town. Seen whole, a province's
  // towns are a few pixels wide: none gets a label, and its 1,250 labels cost nothing
  // (made, measured and moved on every zoom, they were most of the map's work).
  // 44 px: about a three-character name in bold; a town with less room cannot hold its
  // name, whose label would only cover its neighbours (at 28 px the first zoom into a
  // province made 347 labels, 161 of them hidden again, in one long task).
  var ROOM = 44;

  function labels(map, t, o) {
    var items = t.lat.map(function (lat, i) {
      var figure = t.figure[i] ? '<span class="figure">' + t.figure[i] + "</span>" : "";
      var band = t.band[i] ? '<span class="band">' + t.band[i] + "</span>" : "";
      var extra = figure || band ? "<small>" + figure + (figure && band ? " · " : "")
        + band + "</small>" : "";
      var html = '<div class="town-label' + (o.presentation ? " present" : "")
        + (o.extraClass ? " " + o.extraClass : "")
        + (t.code[i] ? " band-" + t.code[i] : "") + '"><b>' + t.name[i] + "</b>"
        + extra + "</div>";
      return {latlng: L.latLng(lat, t.lon[i]), room: t.room ? t.room[i] : Infinity,
        rank: t.rank[i], html: html, marker: null, shown: false, state: ""};
    });
    items.sort(function (a, b) { return a.rank - b.rank; });  // larger towns first

    function show(item) {
      if (!item.marker) {
        item.marker = L.marker(item.latlng, {
          interactive: false, pane: o.pane, keyboard: false,
          icon: L.divIcon({className: "town-label-icon", html: item.html, iconSize: [0, 0]})
        });
      }
      if (!item.shown) {
        item.marker.addTo(map);
        item.shown = true;
        item.state = "";
        item.box = item.marker.getElement().firstChild;
      }
    }
    function hide(item) {
      if (item.shown) {
        map.removeLayer(item.marker);
        item.shown = false;
      }
    }

    var timer = null;
    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(declutter, 60);
    }
    // A label's size does not change with the zoom: measure each once, when first shown
    // (full and compact, in two layout passes for all new labels together; again when
    // fonts arrive), then place the labels after every move by arithmetic around their
    // town's point, and write only the labels whose state changed.
    function measure(fresh) {
      if (fresh.length && !fresh[0].box.getClientRects().length) { return false; }  // not laid out
      fresh.forEach(function (item) {
        item.box.classList.remove("label-compact", "label-hidden");
        item.box.style.marginTop = "";
      });
      var size = function (box) {
        var r = box.getBoundingClientRect();
        return {width: r.right - r.left, height: r.bottom - r.top};
      };
      fresh.forEach(function (item) { item.full = size(item.box); });
      fresh.forEach(function (item) { item.box.classList.add("label-compact"); });
      fresh.forEach(function (item) { item.compact = size(item.box); });
      fresh.forEach(function (item) { item.box.classList.remove("label-compact"); });
      return true;
    }
    function around(point, box, dy) {
      return {left: point.x - box.width / 2, right: point.x + box.width / 2,
        top: point.y - box.height / 2 + dy, bottom: point.y + box.height / 2 + dy};
    }
    function declutter() {
      if (map._animatingZoom) { schedule(); return; }  // place only where labels rest
      var view = map.getSize(), frame = {left: 0, top: 0, right: view.x, bottom: view.y};
      var pixels = 256 * Math.pow(2, map.getZoom()) / 360;  // per degree of longitude
      var wanted = [];
      items.forEach(function (item) {
        item.point = map.latLngToContainerPoint(item.latlng);
        var reach = item.room * pixels;
        var near = item.point.x > -reach && item.point.x < view.x + reach
          && item.point.y > -reach && item.point.y < view.y + reach;
        if (near && 2 * reach >= ROOM) { wanted.push(item); } else { hide(item); }
      });
      wanted.forEach(show);
      var fresh = wanted.filter(function (item) { return !item.full; });
      if (!measure(fresh)) { schedule(); return; }
      var placed = [];
      var clash = function (rect) {
        return placed.some(function (p) { return overlaps(rect, p); });
      };
      wanted.forEach(function (item) {  // larger towns first
        var point = item.point, full = around(point, item.full, 0), state = "full", offset = 0;
        if (!overlaps(full, frame)) {
          state = "off";
        } else if (!clash(full)) {
          placed.push(full);
        } else {
          var height = item.compact.height;
          state = "hidden";
          [0, -0.9, 0.9].some(function (step) {
            var rect = around(point, item.compact, Math.round(step * height));
            if (clash(rect)) { return false; }
            state = "compact";
            offset = Math.round(step * height);
            placed.push(rect);
            return true;
          });
        }
        var key = state + offset;
        if (key === item.state) { return; }
        item.state = key;
        item.box.classList.toggle("label-compact", state === "compact");
        item.box.classList.toggle("label-hidden", state === "hidden");
        item.box.style.marginTop = offset ? offset + "px" : "";
      });
    }
    function remeasure() {
      items.forEach(function (item) { item.full = null; item.state = ""; });
      schedule();
    }
    map.on("zoomend moveend resize viewreset", schedule);
    schedule();
    window.addEventListener("load", remeasure);
    if (window.ResizeObserver) { new ResizeObserver(schedule).observe(map.getContainer()); }
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(remeasure); }
    return declutter;
  }

  var fitted = new WeakMap();

  function fit(map, corners) {
    var bounds = L.latLngBounds(corners);
    fitted.set(map, bounds);
    map.fitBounds(bounds, {animate: false});
  }

  // Its size is known once the stylesheets apply: in streamlit-folium's frame they load
  // after the map is made, so this may come once the layers are drawn (one redraw).
  function keepClear(map, box, tries) {
    var bounds = fitted.get(map), style = window.getComputedStyle(box);
    if (!bounds) { return; }
    if (!style.getPropertyValue("--cm-styled") || style.cssFloat === "none") {
      if ((tries || 0) < 300) {
        window.requestAnimationFrame(function () { keepClear(map, box, (tries || 0) + 1); });
      }
      return;
    }
    var size = map.getSize(), width = box.offsetWidth + 10, height = box.offsetHeight + 10;
    var area = L.bounds(map.latLngToContainerPoint(bounds.getNorthWest()),
                        map.latLngToContainerPoint(bounds.getSouthEast()));
    var legend = L.bounds([size.x - width, size.y - height], [size.x, size.y]);
    var beside = size.x > 2 * width, above = size.y > 2 * height;
    if (!area.intersects(legend) || !(beside || above)) { return; }
    var besideZoom = beside ? map.getBoundsZoom(bounds, false, L.point(width, 0)) : -Infinity;
    var aboveZoom = above ? map.getBoundsZoom(bounds, false, L.point(0, height)) : -Infinity;
    map.fitBounds(bounds, {animate: false,
                           paddingBottomRight: besideZoom >= aboveZoom ? [width, 0] : [0, height]});
  }

  function wheel(map, hintText) {
    var box = map.getContainer();
    map.scrollWheelZoom.disable();
    var hint = L.control({position: "topright"});
    hint.onAdd = function () {
      var div = L.DomUtil.create("div", "map-hint");
      div.innerHTML = hintText;
      return div;
    };
    hint.addTo(map);
    function on() {
      map.scrollWheelZoom.enable();
      box.classList.add("wheel-on");
    }
    function off() {
      map.scrollWheelZoom.disable();
      box.classList.remove("wheel-on");
    }
    map.on("click mousedown", on);
    box.addEventListener("mouseleave", off);
    box.addEventListener("wheel", function (event) {
      if (!event.ctrlKey || map.scrollWheelZoom.enabled()) { return; }
      event.preventDefault();  // Ctrl + wheel zooms the map, not the browser page
      var step = event.deltaY < 0 ? 0.5 : -0.5;
      map.setZoomAround(map.mouseEventToContainerPoint(event), map.getZoom() + step);
    }, {passive: false});
  }

  return {towns: towns, carriers: carriers, points: points, labels: labels, wheel: wheel,
    fit: fit, keepClear: keepClear};
})();
