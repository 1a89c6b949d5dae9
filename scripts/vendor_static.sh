#!/usr/bin/env bash
# Refresh the vendored map assets in static/ from the npm registry.
#
# The dashboard must work on intranets with no internet, so every JavaScript,
# CSS and font file the map needs is served by the app itself (Streamlit
# static serving). Run this only to upgrade a version; the files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
LEAFLET=1.9.4
MARKERCLUSTER=1.5.3
FONTAWESOME=6.7.2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "leaflet@$LEAFLET" "leaflet.markercluster@$MARKERCLUSTER" \
    "@fortawesome/fontawesome-free@$FONTAWESOME" >/dev/null)
for archive in "$work"/*.tgz; do
    mkdir -p "${archive%.tgz}" && tar xzf "$archive" -C "${archive%.tgz}"
done

rm -rf static/leaflet static/markercluster static/fontawesome
mkdir -p static/leaflet static/markercluster static/fontawesome/css static/fontawesome/webfonts
src="$work/leaflet-$LEAFLET/package"
cp "$src/dist/leaflet.js" "$src/dist/leaflet.css" "$src/LICENSE" static/leaflet/
cp -r "$src/dist/images" static/leaflet/
src="$work/leaflet.markercluster-$MARKERCLUSTER/package"
cp "$src/dist/leaflet.markercluster.js" "$src/dist/MarkerCluster.css" \
    "$src/dist/MarkerCluster.Default.css" "$src/MIT-LICENCE.txt" static/markercluster/
src="$work/fortawesome-fontawesome-free-$FONTAWESOME/package"
cp "$src/css/fontawesome.min.css" "$src/css/solid.min.css" static/fontawesome/css/
cp "$src/webfonts/fa-solid-900.woff2" "$src/webfonts/fa-solid-900.ttf" static/fontawesome/webfonts/
cp "$src/LICENSE.txt" static/fontawesome/
echo "static/ now holds leaflet $LEAFLET, leaflet.markercluster $MARKERCLUSTER, fontawesome-free $FONTAWESOME"
