"""The presentation side of the Innovation Carrier Map: what draws the figures.

Maps (folium), charts (Vega-Lite specs, matplotlib), tables laid out for people, the
downloads (Excel, CSV, GeoJSON) and the PDF briefs. Everything here takes the
domain's results from :mod:`geo` and lays them out; nothing here decides a
figure. The dependency runs one way: ``render`` imports ``geo``, ``geo`` never
imports ``render``, folium, altair, matplotlib or Streamlit
(``tests/test_layers.py`` keeps it so).
"""
