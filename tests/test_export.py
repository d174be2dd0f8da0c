from pathlib import Path

import pandas as pd

from tracker.export import write_csv


def test_csv_is_written_atomically_and_deterministically(tmp_path: Path) -> None:
    target = tmp_path / "index" / "daily.csv"
    table = pd.DataFrame({"date": ["2026-03-02"], "index": [0.1234567891]})
    write_csv(table, target)
    first = target.read_bytes()
    write_csv(table, target)
    assert target.read_bytes() == first == b"date,index\n2026-03-02,0.123457\n"
    assert [p.name for p in target.parent.iterdir()] == ["daily.csv"]  # no staging files left
