"""Governors' statistics: England's terms, the counts, disclosure control, charts and exports.

`terms` and `disclosure` are pure Python; `figures` holds the only SQL; `tables` builds the
protected page that the web page, `charts` and `export` all show."""
