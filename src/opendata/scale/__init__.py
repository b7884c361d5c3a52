"""Running extraction at scale: in order over processes or a Dask cluster, and the extraction cache."""
