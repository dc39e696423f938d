"""Uploads and source runs as the review and /history count them (issue 11, items 3 and 9): a
re-run of a stored table is not a new run; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from .test_storage import NOW, new_analysis, sample  # noqa: F401 (the sample fixture)


def test_runs_are_uploads_with_their_latest_analysis(storage, sample):  # noqa: F811
    assert storage.analyses.last_run(7) is None
    first = storage.analyses.save(new_analysis(sample), NOW)
    upload_id = storage.analyses.latest(7).upload_id
    later = NOW + dt.timedelta(days=150)
    rerun = storage.analyses.save(
        new_analysis(sample, upload_id=upload_id, table=None, table_meta=None), later
    )
    run = storage.analyses.last_run(7)
    assert run is not None and run.upload_id == upload_id
    assert run.created_at.replace(tzinfo=run.created_at.tzinfo or dt.UTC) == NOW
    assert run.latest.id == rerun != first
    second = storage.analyses.save(new_analysis(sample, file_name="v2.csv"), later)
    runs = storage.analyses.runs(7)
    assert [(r.file_name, r.latest.id) for r in runs] == [
        ("v2.csv", second),
        ("sample_ventes.csv", rerun),
    ]
    assert storage.analyses.runs(8) == []
