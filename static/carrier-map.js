/* Behaviour of the carrier map (our own; loaded after Leaflet and markercluster).
 *
 * CarrierMap.carriers  markers from named columns ({lat: [...], lon: [...], ...}),
 *                      popups built only when opened;
 * CarrierMap.labels    town labels (name, figure, band) that never overlap: after each
 *                      zoom or move, a label that would touch a larger town's label
 *                      first drops its figure line, then moves a line up or down,
 *                      then hides;
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
    return group;
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

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
      var marker = L.marker([lat, t.lon[i]], {
        interactive: false, pane: o.pane, keyboard: false,
        icon: L.divIcon({className: "town-label-icon", html: html, iconSize: [0, 0]})
      }).addTo(map);
      return {marker: marker, rank: t.rank[i]};
    });
    items.sort(function (a, b) { return a.rank - b.rank; });  // larger towns first

    var timer = null;
    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(declutter, 60);
    }
    function declutter() {
      if (map._animatingZoom) { schedule(); return; }  // measure only where labels rest
      var placed = [];
      items.forEach(function (item) {
        var icon = item.marker.getElement();
        var box = icon && icon.firstChild;
        if (!box) { return; }
        box.classList.remove("label-hidden", "label-compact");
        box.style.marginTop = "";
        var r = box.getBoundingClientRect();
        var clash = function (rect) {
          return placed.some(function (p) { return overlaps(rect, p); });
        };
        if (clash(r)) {  // drop the figure, then try just above and below the town's point
          box.classList.add("label-compact");
          r = box.getBoundingClientRect();
          var height = r.height;
          [-0.9, 0.9].some(function (step) {
            if (!clash(r)) { return true; }
            box.style.marginTop = Math.round(step * height) + "px";
            r = box.getBoundingClientRect();
            return false;
          });
        }
        if (clash(r)) {
          box.style.marginTop = "";
          box.classList.add("label-hidden");
          return;
        }
        placed.push(r);
      });
    }
    map.on("zoomend moveend resize viewreset", schedule);
    schedule();
    window.addEventListener("load", schedule);
    if (window.ResizeObserver) { new ResizeObserver(schedule).observe(map.getContainer()); }
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(schedule); }
    return declutter;
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

  return {carriers: carriers, labels: labels, wheel: wheel};
})();
