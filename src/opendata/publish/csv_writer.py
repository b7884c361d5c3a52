"""A resource's CSV file, appended batch by batch from Arrow tables (header first) by pyarrow's CSV writer:
strings quoted, empty fields for missing values, numbers in their shortest exact form."""

from __future__ import annotations

from pathlib import Path

from opendata.publish.files import HashingFile


class CsvWriter:
    def __init__(self, path: Path, arrow):
        import pyarrow.csv as pacsv

        self.file = HashingFile(path)
        self.rows = 0
        options = pacsv.WriteOptions(include_header=True, quoting_style="needed", delimiter=",")
        self.writer = pacsv.CSVWriter(self.file, arrow, write_options=options)

    def write(self, table) -> None:
        self.writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> dict:
        self.writer.close()
        self.file.close()
        return self.file.info()
