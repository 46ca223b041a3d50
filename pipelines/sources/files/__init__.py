"""Files as a source: letters and their appendices (text, Markdown, TSV), saved portal
pages (HTML) and spreadsheets (Excel, CSV), ingested as captures of scope ``file``.

Importing ``pipelines.sources.files.parse`` registers the parser of the file sources with
``warehouse.load_core`` (sources ``file_letter``, ``file_html``, ``file_table``).
"""
