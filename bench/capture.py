"""Capture every number the app serves for the demo agency on a fixed day (callbacks, exports), and compare captures."""
from __future__ import annotations

import argparse
import csv
import difflib
import hashlib
import io
import json
import re
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The same day as tests/conftest.py DEMO_END: the demo agency ends on it and the app's "today" is pinned to it.
CAPTURE_DAY = date(2026, 10, 31)
ROLES = ("admin", "leader", "quality", "supervisor", "peer")  # the demo logins; password "demo"
DEMO_PASSWORD = "demo"
# A fixed quarter for the exports, so they do not depend on the compliance page's default period.
EXPORT_PERIOD = {"start": "2026-07-01", "end": "2026-09-30"}
PAGES_CALLBACK = ".._pages_content.children..._pages_store.data.."
ROOT = Path(__file__).resolve().parent.parent


class PinnedDate(date):
    """date whose today() is CAPTURE_DAY: for modules that call date.today() directly (page layouts' defaults)."""

    @classmethod
    def today(cls) -> PinnedDate:
        return cls(CAPTURE_DAY.year, CAPTURE_DAY.month, CAPTURE_DAY.day)


# Every clock the served pages and exports read, in one place: (module, attribute, replacement).
PINNED_CLOCKS: tuple[tuple[str, str, Any], ...] = (
    ("callbacks.overview", "today", lambda: CAPTURE_DAY),
    ("callbacks.compliance", "today", lambda: CAPTURE_DAY),
    ("callbacks.workspace", "today", lambda: CAPTURE_DAY),
    ("callbacks.standards", "today", lambda: CAPTURE_DAY),
    ("callbacks.data_import", "today", lambda: CAPTURE_DAY),
    ("callbacks.people", "today", lambda: CAPTURE_DAY),
    ("callbacks.accounts", "today", lambda: CAPTURE_DAY),  # which staff records may get an account
    ("dashboard.exports", "today", lambda: CAPTURE_DAY),
    ("dashboard.supervision_log", "today", lambda: CAPTURE_DAY),
    ("callbacks.signoff", "today", lambda: CAPTURE_DAY),
    ("callbacks.shell", "today", lambda: CAPTURE_DAY),  # who is on a team today, for the navbar's search
    ("layouts.compliance", "date", PinnedDate),  # the page's default period: last full quarter of date.today()
)
# Modules that call date.today() but serve nothing the capture reads: they only pick the demo's end date.
UNSERVED_CLOCKS = frozenset({"dashboard.cli", "dashboard.factory"})
# Generation times embedded in served files and audit rows; masked so that two captures of the same code agree.
TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2}[ T]|\d{2} [A-Z][a-z]{2} \d{4} )\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                       r"(Z|[+-]\d{2}:?\d{2})?( UTC)?")  # ISO, and "04 Dec 2026 17:15 UTC" as the standards page shows
CLOCK_CALL = re.compile(r"\bdate\.today\(\)")


def unpinned_clocks() -> list[str]:
    """Modules of the app that call date.today() and are neither pinned nor known not to serve numbers."""
    pinned = {module for module, _, _ in PINNED_CLOCKS}
    found = []
    for package in ("callbacks", "dashboard", "layouts", "models"):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            if CLOCK_CALL.search(path.read_text()) and module not in pinned | UNSERVED_CLOCKS:
                found.append(module)
    return found


@contextmanager
def pinned_today() -> Iterator[None]:
    """Patch every clock in PINNED_CLOCKS; refuse to run if some module's clock is missing from that list."""
    missing = unpinned_clocks()
    if missing:
        raise RuntimeError(f"date.today() in modules not listed in PINNED_CLOCKS: {', '.join(missing)}")
    with ExitStack() as stack:
        for module, attribute, replacement in PINNED_CLOCKS:
            stack.enter_context(mock.patch(f"{module}.{attribute}", replacement))
        yield


# ---------------------------------------------------------------------------------------------------------
# The database


def _admin_execute(admin_url: str, sql: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def seed_demo(database_url: str) -> None:
    """Migrate an empty database and seed the demo agency ending on CAPTURE_DAY."""
    from dashboard.db import connect, upgrade
    from seed_data.demo import seed_demo_agency

    db = connect(database_url)
    try:
        upgrade(db)
        with db.session() as session:
            seed_demo_agency(session, end_date=CAPTURE_DAY)
    finally:
        db.engine.dispose()


@contextmanager
def demo_database(postgres_admin: str | None = None) -> Iterator[str]:
    """A fresh, seeded database: SQLite in a temporary directory, or a uniquely named PostgreSQL one, dropped after."""
    if postgres_admin is None:
        with tempfile.TemporaryDirectory(prefix="peerdash_capture_") as workdir:
            url = f"sqlite:///{Path(workdir) / 'demo.sqlite3'}"
            seed_demo(url)
            yield url
        return
    name = f"peerdash_capture_{uuid.uuid4().hex[:8]}"
    _admin_execute(postgres_admin, f'CREATE DATABASE "{name}"')
    try:
        url = make_url(postgres_admin).set(database=name).render_as_string(hide_password=False)
        seed_demo(url)
        yield url
    finally:
        _admin_execute(postgres_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------------------------------------------
# Walking layouts and calling callbacks as the renderer does on first load


def components(tree: Any) -> Iterator[dict[str, Any]]:
    """Every serialised component in a layout or callback response, wherever it sits among the props."""
    if isinstance(tree, list):
        for item in tree:
            yield from components(item)
    elif isinstance(tree, dict):
        if "props" in tree and "type" in tree:
            yield tree
            yield from components(list(tree["props"].values()))
        else:
            yield from components(list(tree.values()))


def id_key(component_id: str | dict[str, Any]) -> str:
    """A hashable key for a string or pattern (dict) id, the way Dash stringifies dict ids."""
    return component_id if isinstance(component_id, str) else json.dumps(component_id, sort_keys=True)


def _matches(pattern: dict[str, Any], candidate: Any) -> bool:
    """A pattern id with ALL wildcards against a concrete dict id (MATCH/ALLSMALLER do not occur here)."""
    return (isinstance(candidate, dict) and candidate.keys() == pattern.keys()
            and all(value == ["ALL"] or candidate[key] == value for key, value in pattern.items()))


@dataclass
class Page:
    """The components known on a page: the shell's and the page body's, then those callbacks render."""

    props: dict[str, dict[str, Any]] = field(default_factory=dict)  # id key -> props as first sent
    ids: dict[str, Any] = field(default_factory=dict)  # id key -> the id itself

    def add(self, tree: Any) -> None:
        for component in components(tree):
            component_id = component["props"].get("id")
            if component_id is not None and id_key(component_id) not in self.props:
                self.props[id_key(component_id)] = component["props"]
                self.ids[id_key(component_id)] = component_id

    def resolve(self, dependency: dict[str, Any]) -> Any:
        """A dependency as the renderer sends it, or None when its component is not on the page.
        A pattern id gives a list of one entry per matching component (possibly empty)."""
        raw = dependency["id"]
        if raw.startswith("{"):
            pattern = json.loads(raw)
            return [self._entry(self.ids[key], dependency["property"]) for key in sorted(self.ids)
                    if _matches(pattern, self.ids[key])]
        return self._entry(raw, dependency["property"]) if raw in self.props else None

    def _entry(self, component_id: Any, prop: str) -> dict[str, Any]:
        entry = {"id": component_id, "property": prop}
        props = self.props[id_key(component_id)]
        if prop == "id":
            entry["value"] = component_id
        elif prop in props:
            entry["value"] = props[prop]  # an unset prop is left out, as the renderer leaves it undefined
        return entry


def output_specs(key: str) -> list[dict[str, Any]]:
    """The outputs of a callback_map key ('a.b' or '..a.b...c.d..'), without allow_duplicate's '@hash'."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    specs = []
    for part in parts:
        part = part.split("@")[0]
        component_id, prop = part.rsplit(".", 1)
        specs.append({"id": component_id, "property": prop})
    return specs


def file_name(key: str) -> str:
    """The capture file of a callback: its first output, '+N' more outputs, '@hash' of a duplicate output."""
    specs = output_specs(key)
    first = f"{specs[0]['id']}.{specs[0]['property']}"
    name = first + (f"+{len(specs) - 1}" if len(specs) > 1 else "")
    duplicate = re.search(r"@([0-9a-f]{8})", key)
    name += f"@{duplicate.group(1)}" if duplicate else ""
    return re.sub(r"[^A-Za-z0-9._@+=-]", "_", name) + ".json"


def normalised_json(body: bytes) -> str:
    """Sorted keys, one value per line, generation times and CSRF tokens masked."""
    data = json.loads(body)
    for component in components(data):
        props = component["props"]
        if props.get("name") == "csrf_token" and "value" in props:
            props["value"] = "<csrf>"  # a new token per session
    return TIMESTAMP.sub("<time>", json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)) + "\n"


@dataclass
class Capture:
    out: Path
    files: list[str] = field(default_factory=list)  # "role/file  status  note"
    skipped: list[str] = field(default_factory=list)

    def write(self, relative: str, content: str, note: str) -> None:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        self.files.append(f"{relative}  {note}")


def post_callback(client: FlaskClient, key: str, inputs: list[Any], state: list[Any],
                  outputs: list[Any]) -> Any:
    return client.post("/_dash-update-component", json={
        "output": key, "outputs": outputs if key.startswith("..") else outputs[0], "inputs": inputs, "state": state,
        "changedPropIds": []})  # first load: nothing changed yet


def capture_page(client: FlaskClient, app: Any, role: str, section: Any, shell: Any, capture: Capture,
                 fired: set[str]) -> None:
    """Load a page as the renderer does, then fire every callback whose components are on it, in rounds:
    callbacks that render components (a profile, a modal's body) make more callbacks complete."""
    response = client.post("/_dash-update-component", json={
        "output": PAGES_CALLBACK,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": section.path},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "state": [], "changedPropIds": ["_pages_location.pathname"]})
    capture.write(f"{role}/page-{section.key}.json", normalised_json(response.data), str(response.status_code))
    page = Page()
    page.add(shell)
    page.add(json.loads(response.data)["response"])
    progress = True
    while progress:
        progress = False
        for key, registered in app.callback_map.items():
            if key in fired or key == PAGES_CALLBACK or "callback" not in registered:
                continue  # a clientside callback runs in the browser: the server has nothing to answer
            inputs = [page.resolve(d) for d in registered["inputs"]]
            state = [page.resolve(d) for d in registered["state"]]
            outputs = [page.resolve(d) for d in output_specs(key)]
            if any(value is None for value in inputs + state + outputs) or not any(inputs):
                continue  # some component is not on this page (yet); a pattern input matching nothing fires nothing
            fired.add(key)
            progress = True
            answer = post_callback(client, key, inputs, state, outputs)
            body = normalised_json(answer.data) if answer.status_code == 200 else answer.get_data(as_text=True)
            capture.write(f"{role}/{file_name(key)}", body, f"{answer.status_code} page={section.key}")
            if answer.status_code == 200:
                page.add(json.loads(answer.data)["response"])


def sheets_as_csv(data: bytes) -> str:
    """An xlsx's cells, sheet by sheet, as CSV text: the zip's own timestamps are left behind."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    out = io.StringIO()
    for sheet in workbook.worksheets:
        out.write(f"## sheet {sheet.title}\n")
        writer = csv.writer(out, lineterminator="\n")
        for row in sheet.iter_rows(values_only=True):
            writer.writerow(["" if cell is None else cell for cell in row])
    return TIMESTAMP.sub("<time>", out.getvalue())


def pdf_text(data: bytes) -> str:
    """A PDF's text, page by page, with its generation time masked (the file's metadata is left behind)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = [f"## page {number}\n{page.extract_text()}" for number, page in enumerate(reader.pages, 1)]
    return TIMESTAMP.sub("<time>", "\n".join(pages)) + "\n"


def capture_exports(client: FlaskClient, role: str, capture: Capture) -> None:
    from dashboard.exports import FORMATS

    for by in ("worker", "month"):
        query = "&".join(f"{k}={v}" for k, v in {**EXPORT_PERIOD, "by": by}.items())
        for extension in (f.extension for f in FORMATS):  # every format in the export registry
            response = client.get(f"/export/compliance.{extension}?{query}")
            data = response.get_data()
            name = f"{role}/export/compliance_by_{by}.{extension}"
            note = f"{response.status_code} {response.mimetype} {response.headers.get('Content-Disposition', '')}"
            if response.status_code != 200 or response.mimetype.startswith("text/"):
                capture.write(name, data.decode("utf-8"), note)
            elif extension == "xlsx":
                capture.write(name + ".csv", sheets_as_csv(data), note)
            elif extension == "pdf":
                capture.write(name + ".txt", pdf_text(data), note)
            else:  # a binary format without a reader here: its bytes, by digest
                capture.write(name + ".sha256", hashlib.sha256(data).hexdigest() + "\n", note)


def capture_templates(client: FlaskClient, role: str, capture: Capture) -> None:
    from dashboard.importers import KINDS

    for kind in KINDS:
        response = client.get(f"/export/templates/{kind}.csv")
        capture.write(f"{role}/templates/{kind}.csv", response.get_data(as_text=True),
                      f"{response.status_code} {response.mimetype}")


def sign_in(client: FlaskClient, username: str) -> None:
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token, "no CSRF token on /login"
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code in (302, 303), f"signing in as {username}: {response.status_code}"


def capture(database_url: str, out: Path) -> Capture:
    """Capture every callback and export for each demo role from a seeded demo database into out/."""
    from dashboard.auth import current_viewer
    from dashboard.config import Config
    from dashboard.db import EXTENSION_KEY
    from dashboard.factory import create_app

    out.mkdir(parents=True, exist_ok=True)
    result = Capture(out)
    with pinned_today(), tempfile.TemporaryDirectory(prefix="peerdash_capture_instance_") as instance:
        app = create_app(Config(database_url=database_url, secret_key="capture", instance_path=Path(instance),
                                seed_demo=False, testing=True))
        try:
            for role in ROLES:
                client = app.server.test_client()
                sign_in(client, role)
                with client:  # keeps the request context, so the viewer can be read after the request
                    shell = json.loads(client.get("/_dash-layout").data)
                    viewer = current_viewer()
                    assert viewer is not None, f"{role} is not signed in"
                    viewer_pages = viewer.pages()
                fired: set[str] = set()
                for section in viewer_pages:
                    capture_page(client, app, role, section, shell, result, fired)
                # Sorted: the order callbacks are registered in is wiring, not behaviour (a move of code may change it).
                result.skipped += sorted(f"{role}  {key}  {_why_skipped(registered, key)}"
                                         for key, registered in app.callback_map.items()
                                         if key not in fired and key != PAGES_CALLBACK)
                keys = {section.key for section in viewer_pages}
                if "compliance" in keys:
                    capture_exports(client, role, result)
                if "import" in keys:
                    capture_templates(client, role, result)
        finally:
            app.server.extensions[EXTENSION_KEY].engine.dispose()
    index = ["# files (path, HTTP status, notes)", *result.files, "",
             "# callbacks not fired (role, callback, reason)", *result.skipped]
    (out / "INDEX.txt").write_text("\n".join(index) + "\n", encoding="utf-8")
    return result


def _why_skipped(registered: dict[str, Any], key: str) -> str:
    """Clientside, or which of the callback's components no page of this role sends on first load."""
    if "callback" not in registered:
        return "clientside (runs in the browser; the server serves no output for it)"
    wanted = {d["id"] for d in [*registered["inputs"], *registered["state"], *output_specs(key)]}
    return "not on this role's pages on first load (needs " + ", ".join(sorted(wanted)) + ")"


# ---------------------------------------------------------------------------------------------------------
# Comparing two captures


def differences(first: Path, second: Path) -> list[str]:
    """Relative paths that are in one capture only or differ between the two."""
    def files(root: Path) -> set[str]:
        return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}
    return sorted(name for name in files(first) | files(second)
                  if not (first / name).is_file() or not (second / name).is_file()
                  or (first / name).read_bytes() != (second / name).read_bytes())


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True) if path.is_file() else []


def compare(first: Path, second: Path, diffs_shown: int = 3, lines_shown: int = 60) -> int:
    """Print the differing files (a unified diff of the first few); 1 if any differ."""
    differing = differences(first, second)
    for number, name in enumerate(differing):
        print(f"differs: {name}")
        if number < diffs_shown:
            diff = list(difflib.unified_diff(_lines(first / name), _lines(second / name),
                                             str(first / name), str(second / name)))
            sys.stdout.writelines(diff[:lines_shown])
            if len(diff) > lines_shown:
                print(f"... ({len(diff) - lines_shown} more diff lines)")
    print(f"{len(differing)} file(s) differ" if differing else "identical")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capture", description=__doc__)
    parser.add_argument("--out", type=Path, help="directory to write the capture into")
    parser.add_argument("--db-url", help="an empty database to migrate and seed (kept afterwards); "
                                         "default: SQLite in a temporary directory")
    parser.add_argument("--postgres-admin", help="a PostgreSQL server URL (…/postgres): the capture creates its "
                                                 "own database on it and drops it afterwards")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("DIR1", "DIR2"), help="compare two captures")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        parser.error("--out is required (or --compare DIR1 DIR2)")
    if args.db_url and args.postgres_admin:
        parser.error("--db-url and --postgres-admin exclude each other")
    if args.db_url:
        seed_demo(args.db_url)
        result = capture(args.db_url, args.out)
    else:
        with demo_database(args.postgres_admin) as url:
            result = capture(url, args.out)
    print(f"{len(result.files)} files, {len(result.skipped)} callbacks not fired (see {args.out / 'INDEX.txt'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
