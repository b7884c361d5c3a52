"""A static HTML site of a published package (`opendata site`): index, a page per report with its three tables laid
out as the national template prints them, a page per region with year series, and the comparison metrics as
sortable rankings with charts. Read through DuckDB (query.connection.connect) only; written with Jinja2 templates."""
