"""Actors resolve by any of their names; the taxonomy carries its own scale labels."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_actor
from tracker.actors import (
    KINDS,
    ActorRow,
    add_alias,
    export_actors,
    find_actor,
    get_actor,
    import_actors,
    list_actors,
    read_actor_csv,
    set_party,
)
from tracker.csv_io import Place
from tracker.errors import TrackerError
from tracker.issues import (
    IssueRow,
    export_issues,
    get_issue,
    import_issues,
    read_issue_csv,
    save_issue,
)
from tracker.models import Actor, Issue


def test_any_spelling_or_metonym_finds_the_actor(session: Session) -> None:
    zelenskyy = make_actor(
        session, "Volodymyr Zelenskyy", aliases=["Zelenskiy", "Zelensky", "the Ukrainian president"]
    )
    for name in ("Zelenskiy", "ZELENSKY", "  the   ukrainian President ", "volodymyr zelenskyy"):
        assert find_actor(session, name) is zelenskyy
    assert find_actor(session, "Zelenskyyy") is None
    with pytest.raises(TrackerError, match="did you mean 'Zelensky"):
        get_actor(session, "Zelenskyyy")


def test_an_alias_names_one_actor_only(session: Session) -> None:
    make_actor(session, "Russia", kind="state", aliases=["Moscow"])
    putin = make_actor(session, "Vladimir Putin")
    with pytest.raises(TrackerError, match="'moscow' already names actor 'Russia'"):
        add_alias(session, putin, "moscow")
    with pytest.raises(TrackerError, match="already names"):
        make_actor(session, "MOSCOW")
    with pytest.raises(TrackerError, match="'Vladimir Putin' already names actor"):
        make_actor(session, "Vladimir Putin")  # the exact name, not only another spelling


def test_party_links_cannot_loop(session: Session) -> None:
    ukraine = make_actor(session, "Ukraine", kind="state")
    office = make_actor(session, "President's office", kind="government", party=ukraine)
    with pytest.raises(TrackerError, match="loop"):
        set_party(ukraine, office)


def test_unknown_kind_is_refused(session: Session) -> None:
    with pytest.raises(TrackerError, match="unknown actor kind 'alien'; expected one of person"):
        make_actor(session, "E.T.", kind="alien")


def test_import_creates_then_updates_with_parties_in_any_order(session: Session) -> None:
    rows = [
        ActorRow("Volodymyr Zelenskyy", "person", "Ukraine", ["Zelensky"], at=Place.of(2)),
        ActorRow("Ukraine", "state", "", ["Kyiv"], at=Place.of(3)),
    ]
    assert import_actors(session, rows) == (2, 0)
    assert get_actor(session, "Zelensky").party is get_actor(session, "Kyiv")
    rows[0].aliases.append("Zelenskiy")
    assert import_actors(session, rows) == (0, 1)  # one changed, one unchanged
    assert find_actor(session, "Zelenskiy") is get_actor(session, "Zelensky")
    exported = {r["name"]: r for r in export_actors(session)}
    assert exported["Volodymyr Zelenskyy"] == {
        "name": "Volodymyr Zelenskyy",
        "kind": "person",
        "party": "Ukraine",
        "aliases": "Zelenskiy;Zelensky",
    }


def test_import_problem_names_the_row(session: Session) -> None:
    rows = [
        ActorRow("Ukraine", "state", at=Place.of(2)),
        ActorRow("Merz", "person", "Germany", at=Place.of(3)),
    ]
    with pytest.raises(TrackerError, match="row 3: unknown actor 'Germany'"):
        import_actors(session, rows)


def test_an_import_lists_every_problem_and_writes_nothing(session: Session) -> None:
    """A file with three mistakes is fixed in one go, not in three runs."""
    rows = [
        ActorRow("Ukraine", "state", at=Place.of(2)),
        ActorRow("Kyiv office", "bureau", "Ukraine", at=Place.of(3)),
        ActorRow("Merz", "person", "Germany", at=Place.of(4)),
        ActorRow(" ", "person", at=Place.of(5)),
        ActorRow("Ukraine", "state", at=Place.of(6)),
    ]
    with pytest.raises(TrackerError) as raised:
        import_actors(session, rows)
    assert str(raised.value).splitlines() == [
        "4 problems, nothing imported:",
        "  row 3: unknown actor kind 'bureau'; expected one of " + ", ".join(KINDS),
        "  row 4: unknown actor 'Germany'",
        "  row 5: column 'name' is empty",
        "  row 6: actor 'Ukraine' appears twice",
    ]


def test_an_issue_import_lists_every_problem(session: Session) -> None:
    rows = [
        IssueRow("land swaps", "Land swaps", at=Place.of(2)),
        IssueRow("ok", "OK", at=Place.of(3)),
        IssueRow("nato", " ", at=Place.of(4)),
    ]
    with pytest.raises(TrackerError) as raised:
        import_issues(session, rows)
    assert str(raised.value).splitlines()[0] == "2 problems, nothing imported:"
    assert [line.split(":")[0] for line in str(raised.value).splitlines()[1:]] == [
        "  row 2",
        "  row 4",
    ]


def test_issue_labels_and_keywords(session: Session) -> None:
    issue, created = save_issue(
        session,
        IssueRow(
            slug="Ceasefire-First",
            name="Ceasefire first",
            description="Truce before talks",
            keywords=["truce", " ceasefire "],
            labels={-2: "Talks while fighting", 2: "Truce first"},
        ),
    )
    assert created and issue.slug == "ceasefire-first"
    assert issue.keywords == ["truce", "ceasefire"]
    assert issue.label(-2) == "Talks while fighting"
    assert issue.label(0) == "Neutral or ambiguous"  # default for labels not given
    assert export_issues(session)[0]["label_2"] == "Truce first"
    assert get_issue(session, "CEASEFIRE-FIRST") is issue


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (IssueRow(slug="land swaps", name="x"), "must be lowercase letters"),
        (IssueRow(slug="ok", name="  "), "needs a name"),
        (IssueRow(slug="ok", name="x", labels={3: "off the scale"}), "no scale point 3"),
    ],
)
def test_bad_issues_are_refused(session: Session, row: IssueRow, message: str) -> None:
    with pytest.raises(TrackerError, match=message):
        save_issue(session, row)


def test_issue_import_refuses_duplicates_in_one_file(session: Session) -> None:
    rows = [IssueRow("a", "A", at=Place.of(2)), IssueRow("a", "A again", at=Place.of(3))]
    with pytest.raises(TrackerError, match="row 3: issue 'a' appears twice"):
        import_issues(session, rows)


def test_nothing_is_counted_twice(session: Session) -> None:
    make_actor(session, "Ukraine", kind="state", aliases=["Kyiv"])
    assert session.scalar(select(func.count()).select_from(Actor)) == 1
    assert session.scalar(select(func.count()).select_from(Issue)) == 0


def test_a_file_without_a_column_leaves_what_it_holds(session: Session) -> None:
    """An actor file without ``party`` keeps parties; an issue file without ``keywords``
    keeps keywords (the suggestions rely on them); importing the same rows again counts
    as unchanged, not updated."""
    rows = read_actor_csv(
        "a.csv", "name,kind,party,aliases\nUkraine,state,,Kyiv\nZelenskyy,person,Ukraine,Ze\n"
    )
    assert import_actors(session, rows) == (2, 0)
    assert import_actors(session, rows) == (0, 0)
    assert import_actors(session, read_actor_csv("b.csv", "name,kind\nZelenskyy,person\n")) == (
        0,
        0,
    )
    assert get_actor(session, "Zelenskyy").party is get_actor(session, "Ukraine")
    changed = read_actor_csv("c.csv", "name,kind,party\nZelenskyy,person,\n")
    assert import_actors(session, changed) == (0, 1)  # an empty cell does clear it
    assert get_actor(session, "Zelenskyy").party is None

    full = "slug,name,description,keywords\nland-swaps,Land swaps,Trading land,land swap;cede\n"
    assert import_issues(session, read_issue_csv("i.csv", full)) == (1, 0)
    assert import_issues(session, read_issue_csv("i.csv", full)) == (0, 0)
    short = "slug,name,description\nland-swaps,Land swaps,Trading territory\n"
    assert import_issues(session, read_issue_csv("j.csv", short)) == (0, 1)
    issue = get_issue(session, "land-swaps")
    assert issue.description == "Trading territory"
    assert issue.keywords == ["land swap", "cede"]


def test_actors_are_listed_alphabetically_whatever_the_database(session: Session) -> None:
    """The same order on SQLite and PostgreSQL (whose ORDER BY follows the collation the
    database was created with): case and accents set aside, so "de Mistura" is among the
    Ds and "Émile Zola" among the Es, not after "Zelensky"; letters with no accent to
    take off ("Ł", "Ø") sort as the letter they are written from."""
    names = ("Zelensky", "de Mistura", "Émile Zola", "abe", "Ångström", "Dmitry", "Łukaszenka",
             "Støre", "Lavrov", "Stoltenberg")  # fmt: skip
    for name in names:
        make_actor(session, name)
    expected = ["abe", "Ångström", "de Mistura", "Dmitry", "Émile Zola", "Lavrov", "Łukaszenka",
                "Stoltenberg", "Støre", "Zelensky"]  # fmt: skip
    assert [a.name for a in list_actors(session)] == expected
    assert [row["name"] for row in export_actors(session)] == expected


@pytest.mark.parametrize("ministry_first", [True, False])
def test_a_party_cannot_itself_speak_for_another(session: Session, ministry_first: bool) -> None:
    """A minister -> ministry -> state chain was accepted, and the minister's stances then
    counted for the ministry, not the state, in every roll-up: refused, in either order."""
    state = ActorRow("Sudan", "state", "", at=Place.of(2))
    ministry = ActorRow("Sudan foreign ministry", "government", "Sudan", at=Place.of(3))
    minister = ActorRow("Al-Harith Idriss", "person", "Sudan foreign ministry", at=Place.of(4))
    rows = [state, ministry, minister] if ministry_first else [state, minister, ministry]
    with pytest.raises(TrackerError) as raised:
        import_actors(session, rows)
    message = str(raised.value)
    if ministry_first:
        assert (
            "'Al-Harith Idriss' cannot speak for 'Sudan foreign ministry', which itself "
            "speaks for 'Sudan': name 'Sudan' as its party" in message
        )
    else:
        assert (
            "'Sudan foreign ministry' cannot speak for 'Sudan': Al-Harith Idriss speak "
            "for 'Sudan foreign ministry'" in message
        )


def test_cells_a_spreadsheet_damaged_are_refused(session: Session) -> None:
    """Saved from a spreadsheet that read the UTF-8 file as Windows-1252, an actors file
    added the aliases 'TÃ¼rkiye' and 'ErdoÄŸan'; an issue's label became '#NAME?'."""
    cyrillic = "".join(
        chr(b)
        if bytes([b]).decode("cp1252", errors="ignore") == ""
        else bytes([b]).decode("cp1252")
        for b in "Зеленський".encode()
    )
    with pytest.raises(TrackerError, match="would be 'Зеленський'"):
        import_actors(session, [ActorRow(cyrillic, "person", "", at=Place.of(2))])
    rows = [ActorRow("Turkey", "state", "", ["TÃ¼rkiye"], at=Place.of(2))]
    with pytest.raises(TrackerError, match=r"row 2: column 'aliases' looks like UTF-8 text"):
        import_actors(session, rows)
    issue = IssueRow("nato", "NATO", labels={2: "#NAME?"}, at=Place.of(3))
    with pytest.raises(TrackerError, match=r"row 3: column 'label_2' holds the spreadsheet"):
        import_issues(session, [issue])


def test_a_file_that_flattens_a_chain_imports_in_any_order(session: Session) -> None:
    """Stored: minister -> ministry. A file moving both to the state was refused or not
    depending on its order: the check now reads the file's end state."""
    state = make_actor(session, "State", kind="state")
    ministry = make_actor(session, "Ministry", kind="government")
    make_actor(session, "Minister", party=ministry)
    assert state.id is not None
    rows = [
        ActorRow("Ministry", "government", "State", at=Place.of(2)),
        ActorRow("Minister", "person", "State", at=Place.of(3)),
    ]
    import_actors(session, rows)
    assert get_actor(session, "Minister").party is state
    assert get_actor(session, "Ministry").party is state
