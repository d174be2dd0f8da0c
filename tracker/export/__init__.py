"""Export stage: index tables → CSV (or Parquet) files, a chart and a static HTML report.

`files.py` writes atomically (a reader never sees half a file); `chart.py` draws the index
with its interval and the daily volume; `report.py` builds the HTML page analysts open.
"""

from tracker.export.files import DECIMALS, write_atomic, write_csv, write_table

__all__ = ["DECIMALS", "write_atomic", "write_csv", "write_table"]
