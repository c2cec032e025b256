"""Import stances from a CSV file on the Stances page: the CLI's import, checked first.

The file is checked as ``tracker stances import --dry-run`` would (nothing written) and
the page shows what would change and every problem by row and column; then the analyst
imports it whole, or only its good rows, and downloads the others with their reasons.
"""

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.state import engine, principal
from dashboard.ui import md_escape
from tracker.csv_io import decoded
from tracker.errors import TrackerError
from tracker.stance_import import ImportReport, import_stances, rejects_bytes
from tracker.text import plural

SHOWN_PROBLEMS = 100  # rows of the problems table; the download holds them all
_KEY = "stance_upload"


@dataclass
class _Checked:
    """A file as uploaded, checked (a dry run), and the rows with problems as CSV."""

    file_id: str
    name: str
    text: str
    report: ImportReport
    rejects: bytes


@dataclass
class _Imported:
    """What the last import did, shown until another file is chosen."""

    name: str
    summary: str
    rejects: bytes


def stance_upload_form() -> None:
    """The uploader, the check's verdict and the import buttons (reviewers only).

    The expander has a key: its open state then survives the reruns that add or remove
    messages above it (without one, it closed when the next file was chosen)."""
    with st.expander("Import stances from a CSV file", key=f"{_KEY}_open"):
        st.caption(
            "The columns of the stance CSV download below: a file exported here, edited "
            "in a spreadsheet, or coded elsewhere. It is checked before anything is "
            "written. Rows are matched to stored stances, so importing a file again "
            "changes nothing; a row removed from the file does not delete its stance."
        )
        upload = st.file_uploader(
            "Stance CSV",
            type=["csv", "txt", "tsv"],
            key=f"{_KEY}_file_{st.session_state.get(f'{_KEY}_round', 0)}",
        )
        if upload is None:
            done = st.session_state.get(f"{_KEY}_done")
            if isinstance(done, _Imported):  # until another file is chosen
                st.success(md_escape(f"{done.name}: {done.summary}"))
                if done.rejects:
                    _rejects_button(done.rejects, done.name)
            return
        st.session_state.pop(f"{_KEY}_done", None)
        checked = _check(upload.file_id, upload.name, upload.getvalue())
        if checked is not None:
            _verdict(checked)


def _check(file_id: str, name: str, data: bytes) -> _Checked | None:
    """The dry run of this file, remembered while the same upload stays chosen."""
    kept = st.session_state.get(f"{_KEY}_checked")
    if isinstance(kept, _Checked) and kept.file_id == file_id:
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
    rejects = rejects_bytes(name, text, report.problems) if report.problems else b""
    checked = _Checked(file_id, name, text, report, rejects)
    st.session_state[f"{_KEY}_checked"] = checked
    return checked


def _verdict(checked: _Checked) -> None:
    report = checked.report
    changes = report.created + report.updated
    problems = f"; **{plural(report.rejected, 'row')} with problems**" if report.rejected else ""
    repeats = f"; {plural(report.repeated, 'row')} repeated exactly" if report.repeated else ""
    st.markdown(f"**{md_escape(checked.name)}**: {report.counts()}{problems}{repeats}")
    if report.kept_newer:
        st.caption(md_escape(report.kept_newer_text().capitalize() + "."))
    if report.still_suggested:
        st.caption(
            f"{plural(report.still_suggested, 'row')} match stored suggestions and give no "
            "status: they stay suggested (review them on the Review queue page)."
        )
    if report.problems:
        _problems(checked)
    if not changes:
        if report.rejected and not report.unchanged:
            st.warning("No row can be imported: fix the problems and upload the file again.")
        elif not report.rejected and not report.unchanged and not report.repeated:
            st.info("The file has no rows under its header.")
        else:
            st.info("Nothing to import: every good row is already stored as it is.")
        return
    writes = " and ".join(
        part
        for part in (
            f"{report.created} new" if report.created else "",
            f"{report.updated} updated" if report.updated else "",
        )
        if part
    )
    noun = "stance" if changes == 1 else "stances"
    label = f"Import {writes} {noun}"
    if report.problems:
        label += f", skip the {plural(report.rejected, 'row')} with problems"
    if st.button(label, type="primary", key=f"{_KEY}_go"):
        _import(checked)


def _problems(checked: _Checked) -> None:
    """The problems in a static table, whose cells wrap: a data grid cut long messages
    (their advice comes last). Its cells are Markdown, so they are escaped: messages
    quote the file and the source texts."""
    problems = checked.report.problems
    table = pd.DataFrame(
        [
            (
                str(p.at.row),
                str(p.at.line),
                md_escape(p.column or "(whole row)"),
                md_escape(p.message),
            )
            for p in problems[:SHOWN_PROBLEMS]
        ],
        columns=["Row", "Line", "Column", "Problem"],
    )
    if (table["Row"] == table["Line"]).all():  # no multi-line cells: one number says it
        table = table.drop(columns="Line")
    st.table(table, hide_index=True, border="horizontal")
    if len(problems) > SHOWN_PROBLEMS:
        st.caption(f"The first {SHOWN_PROBLEMS} of {len(problems)} problems; the download has all.")
    _rejects_button(checked.rejects, checked.name)


def _rejects_button(data: bytes, name: str) -> None:
    st.download_button(
        "Download the rows with problems (CSV, with a reason column)",
        data=data,
        file_name=f"rejected-{name.rsplit('.', 1)[0]}.csv",
        mime="text/csv",
        key=f"{_KEY}_rejects",
        on_click="ignore",
        help="Fix the cells in a spreadsheet and upload this file; its reason column is "
        "not imported.",
    )


def _import(checked: _Checked) -> None:
    lines = max(checked.text.count("\n"), 1)
    bar = st.progress(0.0, text="Importing…")
    doing = "Importing…"

    def progress(line: int | None) -> None:
        nonlocal doing
        if line is None:
            bar.progress(1.0, text="Rebuilding indexes and stored days…")
        elif line == 0:  # read again, so that both of two rows that disagree are rejected
            doing = "Two rows for one stance need a second look: importing again…"
            bar.progress(0.0, text=doing)
        else:
            bar.progress(min(line / lines, 1.0), text=f"{doing} line {line:,} of {lines:,}")

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
    rejects = rejects_bytes(checked.name, checked.text, report.problems) if report.problems else b""
    st.session_state[f"{_KEY}_done"] = _Imported(checked.name, report.summary(), rejects)
    st.rerun()
