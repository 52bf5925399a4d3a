"""The supervision log: exported per worker and date range by whoever may see the worker (a peer worker only their
own), audited, each file under a new verification code; /verify answers without an account, only "matches" or "does
not match", rejects a copy with one changed digit, and is throttled; the CLI says the same."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from dashboard.db import Database
from models import AgencySettings, AuditEvent, LoginAttempt, SupervisionLogExport
from tests.http.conftest import csrf_token, login

CODE = re.compile(rb"PSL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


def counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(SupervisionLogExport)) or 0,
                s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def export(client: FlaskClient, worker: object, extension: str = "csv", **args: str) -> tuple[int, bytes]:
    query = "&".join(f"{k}={v}" for k, v in {"worker": worker, "from": "2026-01-01", "to": "2026-10-31",
                                             **args}.items())
    response = client.get(f"/export/supervision-log.{extension}?{query}")
    return response.status_code, response.data


@pytest.mark.parametrize(("user", "own", "other_team"), [
    ("peer", 200, 400), ("supervisor", 200, 400), ("quality", 200, 200), ("leader", 200, 200), ("admin", 200, 200)])
def test_who_may_export_whose_log(demo_client: FlaskClient, demo_db: Database, people: dict[str, int], user: str,
                                  own: int, other_team: int) -> None:
    login(demo_client, user, "demo")
    exports, events = counts(demo_db)
    status, data = export(demo_client, people["omar"])
    assert status == own and CODE.search(data)
    status, data = export(demo_client, people["outsider"])
    assert status == other_team
    written = 1 + (other_team == 200)
    assert counts(demo_db) == (exports + written, events + written)
    if user == "peer":  # a peer worker's own colleague is not theirs to see either
        assert export(demo_client, people["luis"])[0] == 400
        assert counts(demo_db) == (exports + written, events + written)


def test_bad_requests_are_refused_with_nothing_written(demo_client: FlaskClient, demo_db: Database,
                                                       people: dict[str, int]) -> None:
    assert export(demo_client, people["omar"])[0] == 401
    login(demo_client, "supervisor", "demo")
    before = counts(demo_db)
    for worker, args, message in ((people["omar"], {"from": "2026-13-01"}, b"could not be read"),
                                  (people["omar"], {"from": "2026-10-31", "to": "2026-01-01"}, b"start before"),
                                  (people["omar"], {"to": "2999-01-01"}, b"end today or earlier"),
                                  (people["omar"], {"requirement": "999"}, b"does not exist"),
                                  ("1;drop", {}, b"not on your teams"), (2**40, {}, b"not on your teams")):
        status, data = export(demo_client, worker, **args)
        assert status == 400 and message in data, (worker, args)
    assert export(demo_client, people["omar"], "xlsx")[0] == 404
    assert counts(demo_db) == before


def check(client: FlaskClient, code: str, data: bytes, name: str = "log.pdf") -> tuple[int, str]:
    response = client.post("/verify", data={"csrf_token": csrf_token(client, "/verify"), "code": code,
                                            "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def test_verify_without_an_account_rejects_one_changed_digit(demo_client: FlaskClient, demo_db: Database,
                                                             people: dict[str, int], tmp_path: Path) -> None:
    login(demo_client, "peer", "demo")
    status, pdf = export(demo_client, people["omar"], "pdf")
    assert status == 200 and pdf.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(pdf)).pages
    footers = [" ".join(page.extract_text().split()) for page in pages]
    assert all(f"Page {n} of {len(pages)}" in text for n, text in enumerate(footers, start=1))
    _status, csv_file = export(demo_client, people["omar"], "csv")
    pdf_code, csv_code = CODE.search(pdf).group().decode(), CODE.search(csv_file).group().decode()  # type: ignore[union-attr]
    assert pdf_code != csv_code
    demo_client.post("/logout", data={"csrf_token": csrf_token(demo_client, "/account/sessions")})

    assert demo_client.get("/verify").status_code == 200  # no account needed; nothing else opens up
    assert demo_client.get("/verify-anything").status_code == 302
    assert demo_client.get("/my-record").status_code == 302
    assert check(demo_client, pdf_code, pdf)[1].count("This file matches") == 1
    assert "This file matches" in check(demo_client, csv_code.lower().replace("-", " "), csv_file, "log.csv")[1]
    # One digit changed in the CSV (a session's minutes), and the PDF under the CSV's code: no match.
    digit = re.search(rb"\n2026-\d\d-\d\d,(\d)", csv_file)
    assert digit is not None
    position = digit.start(1)
    tampered = csv_file[:position] + str((int(csv_file[position:position + 1]) + 1) % 10).encode() \
        + csv_file[position + 1:]
    assert len(tampered) == len(csv_file) and tampered != csv_file
    assert "does not match" in check(demo_client, csv_code, tampered, "log.csv")[1]
    assert "does not match" in check(demo_client, csv_code, pdf)[1]
    assert "does not match" in check(demo_client, "PSL-AAAA-AAAA-AAAA", pdf)[1]
    page = check(demo_client, pdf_code, pdf)[1]
    assert "Omar" not in page and "Davis" not in page  # the answer reveals nothing about the log
    # Without the form's token the check is refused (another site cannot use a visitor's browser for it).
    assert demo_client.post("/verify", data={"code": pdf_code}).status_code == 400

    # The CLI gives the same answers (exit status 0 / 1).
    (tmp_path / "log.csv").write_bytes(csv_file)
    (tmp_path / "tampered.csv").write_bytes(tampered)
    from dashboard.cli import cli
    env = {"DATABASE_URL": demo_db.engine.url.render_as_string(hide_password=False)}
    good = CliRunner().invoke(cli, ["verify-log", csv_code, str(tmp_path / "log.csv")], env=env)
    bad = CliRunner().invoke(cli, ["verify-log", csv_code, str(tmp_path / "tampered.csv")], env=env)
    assert (good.exit_code, bad.exit_code) == (0, 1)
    assert "matches" in good.output and "does not match" in bad.output
    with demo_db.session() as s:
        actions = [tuple(e.new_values.values())[1] for e in s.scalars(  # type: ignore[union-attr]
            select(AuditEvent).where(AuditEvent.action == "verify").order_by(AuditEvent.id))]
    assert actions == [True, True, False, False, False, True, True, False]


def test_guessing_codes_is_throttled(demo_client: FlaskClient, demo_db: Database) -> None:
    """Five wrong checks from one address, then it waits (1, 2, 4 … minutes, as for sign-in)."""
    answers = [check(demo_client, f"PSL-AAAA-AAAA-AAA{c}", b"guess")[0] for c in "BCDEFG"]
    assert answers == [200, 200, 200, 200, 200, 429]
    status, page = check(demo_client, "PSL-AAAA-AAAA-AAAH", b"guess")
    assert status == 429 and "Too many checks" in page
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).where(LoginAttempt.username == "(verify)")) == 5


def test_the_pdf_writes_dates_the_agencys_way_and_the_csv_stays_iso(demo_client: FlaskClient, demo_db: Database,
                                                                    people: dict[str, int]) -> None:
    with demo_db.session() as s:
        s.get_one(AgencySettings, 1).date_format = "mdy"
        s.commit()
    login(demo_client, "quality", "demo")
    _status, pdf = export(demo_client, people["omar"], "pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "01/01/2026 to 10/31/2026" in text and "2026-01-01" not in text
    counted = int(re.search(r"Sessions counted \((\d+)\)", text).group(1))  # type: ignore[union-attr]
    assert counted and len(re.findall(r"^\d\d/\d\d/2026$", text, re.M)) == counted  # each row's Date cell
    _status, csv_file = export(demo_client, people["omar"], "csv")
    assert b"# Sessions held: 2026-01-01 to 2026-10-31\n" in csv_file
    assert re.search(rb"\n2026-\d\d-\d\d,\d+,", csv_file)
