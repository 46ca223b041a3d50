"""The static site: Vietnamese pages built from the published warehouse alone.

``data`` reads the marts (SQL over the published file, through the reader connection),
``charts`` draws the trends as inline SVG, ``render`` fills the templates, ``build``
writes the pages, the JSON beside each page and the static assets, only for the periods
whose data changed, and ``webhook`` posts the nightly summary to a chat tool.
"""
