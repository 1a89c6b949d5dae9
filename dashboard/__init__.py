"""Streamlit glue shared by the pages: cached loading, the sidebar, common widgets.

Everything that decides a figure lives in ``geo``; this package only caches,
asks the user for choices and lays results out.
"""
