"""Import stances from a CSV file on the Stances page: the CLI's import, checked first.

The file is checked as ``tracker stances import --dry-run`` would (nothing written) and
the page shows what would change and every problem by row and column; then the analyst
imports it whole, or only its good rows, and downloads the others with their reasons.
"""

import hashlib
import io
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.state import engine, principal
from dashboard.ui import md_escape
from tracker.csv_io import decoded
from tracker.errors import TrackerError
from tracker.stance_import import ImportReport, import_stances, write_rejects
from tracker.text import plural

SHOWN_PROBLEMS = 500  # rows of the problems table; the download holds them all
_KEY = "stance_upload"


@dataclass
class _Checked:
    digest: str
    name: str
    text: str
    report: ImportReport


def stance_upload_form() -> None:
    """The uploader, the check's verdict and the import buttons (reviewers only)."""
    done = st.session_state.pop(f"{_KEY}_done", None)
    if done:
        message, rejects, name = done
        st.success(message)
        if rejects:
            _rejects_button(rejects, name)
    with st.expander("Import stances from a CSV file", expanded=False):
        st.caption(
            "The columns of the export (docs/csv.md): a file exported here or by "
            "`tracker stances export`, edited in a spreadsheet, or coded elsewhere. The "
            "file is checked before anything is written."
        )
        upload = st.file_uploader(
            "Stance CSV",
            type=["csv", "txt", "tsv"],
            key=f"{_KEY}_file_{st.session_state.get(f'{_KEY}_round', 0)}",
        )
        if upload is None:
            return
        checked = _check(upload.name, upload.getvalue())
        if checked is None:
            return
        _verdict(checked)


def _check(name: str, data: bytes) -> _Checked | None:
    """The dry run of this file, remembered while the same file stays uploaded."""
    digest = hashlib.sha256(data).hexdigest()
    kept = st.session_state.get(f"{_KEY}_checked")
    if isinstance(kept, _Checked) and kept.digest == digest:
        return kept
    try:
        text = decoded(data, name)
        with st.spinner(f"Checking {name}…"):
            report = import_stances(
                engine(), name, text=text, dry_run=True, skip_invalid=True, principal=principal()
            )
    except TrackerError as exc:  # the file as a whole: encoding, header, empty
        st.error(md_escape(str(exc)))
        return None
    checked = _Checked(digest, name, text, report)
    st.session_state[f"{_KEY}_checked"] = checked
    return checked


def _verdict(checked: _Checked) -> None:
    report = checked.report
    changes = report.created + report.updated
    st.markdown(
        f"**{md_escape(checked.name)}**: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged stances"
        + (f"; **{report.rejected} rows have problems**" if report.rejected else "")
    )
    if report.still_suggested:
        st.caption(
            f"{report.still_suggested} rows match stored suggestions and give no status: "
            "they stay suggested (review them on the Review queue page)."
        )
    if report.problems:
        _problems(checked)
    if not changes:
        st.info("Nothing to import: every good row is already stored as it is.")
        return
    if report.problems:
        label = (
            f"Import the good rows ({plural(changes, 'stance')} to write), skip the "
            f"{plural(report.rejected, 'row')} with problems"
        )
    else:
        label = f"Import {report.created} new and {report.updated} updated stances"
    if st.button(label, type="primary", key=f"{_KEY}_go"):
        _import(checked)


def _problems(checked: _Checked) -> None:
    problems = checked.report.problems
    table = pd.DataFrame(
        [(p.at.row, p.at.line, p.column or "(row)", p.message) for p in problems[:SHOWN_PROBLEMS]],
        columns=["Row", "Line", "Column", "Problem"],
    )
    if (table["Row"] == table["Line"]).all():  # no multi-line cells: one number says it
        table = table.drop(columns="Line")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Row": st.column_config.NumberColumn(width="small", format="%d"),
            "Line": st.column_config.NumberColumn(width="small", format="%d"),
            "Problem": st.column_config.TextColumn(width="large"),
        },
    )
    if len(problems) > SHOWN_PROBLEMS:
        st.caption(f"The first {SHOWN_PROBLEMS} of {len(problems)} problems; the download has all.")
    _rejects_button(_rejects(checked.name, checked.text, checked.report), checked.name)


def _rejects(name: str, text: str, report: ImportReport) -> bytes:
    out = io.StringIO(newline="")
    out.write("\ufeff")  # a byte-order mark, for spreadsheets (as the export's download)
    write_rejects(out, name, text, report.problems)
    return out.getvalue().encode("utf-8")


def _rejects_button(data: bytes, name: str) -> None:
    st.download_button(
        "Download the rows with problems (CSV, with a reason column)",
        data=data,
        file_name=f"rejected-{name.rsplit('.', 1)[0]}.csv",
        mime="text/csv",
        key=f"{_KEY}_rejects",
        on_click="ignore",
        help="Fix the cells in a spreadsheet and upload this file: the reason column is ignored.",
    )


def _import(checked: _Checked) -> None:
    lines = max(checked.text.count("\n"), 1)
    bar = st.progress(0.0, text="Importing…")

    def progress(line: int | None) -> None:
        if line is None:
            bar.progress(1.0, text="Rebuilding indexes and stored days…")
        else:
            bar.progress(min(line / lines, 1.0), text=f"Importing… line {line:,} of {lines:,}")

    try:
        report = import_stances(
            engine(),
            checked.name,
            text=checked.text,
            skip_invalid=True,
            principal=principal(),
            on_progress=progress,
        )
    except TrackerError as exc:  # the role was lowered since, another import's lock, …
        bar.empty()
        st.error(md_escape(str(exc)))
        return
    st.cache_data.clear()
    st.session_state.pop(f"{_KEY}_checked", None)
    st.session_state[f"{_KEY}_round"] = st.session_state.get(f"{_KEY}_round", 0) + 1
    rejects = _rejects(checked.name, checked.text, report) if report.problems else None
    summary = md_escape(f"{checked.name}: {report.summary()}")
    st.session_state[f"{_KEY}_done"] = (summary, rejects, checked.name)
    st.rerun()
