"""INDIGO interchange, by stage: ``layout`` (tables, columns and the kinds of cell),
``values`` (plain-Python parsing of cell values), ``tables`` (the case tables' layout),
``reading`` (a snapshot into typed rows, with every problem located), ``apply`` (typed rows
into the database, keeping curators' edits) and ``export`` (records back into INDIGO files).

One declaration per file drives both directions. The import that spans both apps is
``golab.indigo``."""
