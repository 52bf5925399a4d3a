"""The page registry: one entry per page (key, path, label, roles, layout, callbacks), in navbar order."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from models.vocabulary import Role


@dataclass(frozen=True)
class Page:
    """A page: where it is, its name in the navbar, who may use it, and where its body and callbacks live.

    The body and callbacks are named ("module:function"), not imported, so that the guard and the navbar can read
    the registry without the core importing layouts/; create_app resolves them (check_pages) before it builds
    anything, so a misspelt name stops the app at start-up rather than serving a blank page."""

    key: str
    path: str
    label: str
    roles: frozenset[str]
    layout: str  # "layouts.X:function" (or a callbacks function that fills one), called with the URL's query arguments
    callbacks: str | None  # "callbacks.X:register", called once with the app (pages may share one); None: static
    in_navbar: bool = True  # False: linked from elsewhere in the shell (Help, beside the user's name)

    def load_layout(self) -> Callable[..., Any]:
        return _resolve(self.layout)

    def load_callbacks(self) -> Callable[[Any], None] | None:
        return _resolve(self.callbacks) if self.callbacks else None


ALL_ROLES = frozenset(Role)
PAGES: tuple[Page, ...] = (
    # Supervisors see Overview restricted to their own teams (enforced in the query layer).
    Page("overview", "/overview", "Overview", frozenset({Role.LEADERSHIP, Role.QUALITY, Role.ADMIN, Role.SUPERVISOR}),
         # The body comes from callbacks: it fills the filters' choices from the query layer (one round fewer).
         "callbacks.overview:page", "callbacks.overview:register"),
    # My team and My record share the worker profile's callbacks: a shared register runs once.
    Page("my_team", "/my-team", "My team", frozenset({Role.SUPERVISOR}),
         "callbacks.workspace:my_team_page", "callbacks.workspace:register"),
    Page("my_record", "/my-record", "My record", frozenset({Role.PEER_WORKER}),
         "layouts.workspace:my_record", "callbacks.workspace:register"),
    # Supervisors see (and export) compliance for their own teams only (scope_for, in the query layer).
    Page("compliance", "/compliance", "Compliance", frozenset({Role.QUALITY, Role.ADMIN, Role.LEADERSHIP,
                                                               Role.SUPERVISOR}),
         "layouts.compliance:layout", "callbacks.compliance:register"),
    Page("resources", "/resources", "Resources", ALL_ROLES, "layouts.resources:layout", "callbacks.resources:register"),
    # Guides: add, edit and retire the guides Resources lists and the workspace suggests; admins only.
    Page("guides", "/guides", "Guides", frozenset({Role.ADMIN}), "layouts.guides:layout", "callbacks.guides:register"),
    Page("standards", "/standards", "Standards", frozenset({Role.ADMIN, Role.QUALITY}),
         "layouts.standards:layout", "callbacks.standards:register"),
    # People: certification stages and workers' stages; admins edit, quality reads (callbacks.people._editor).
    Page("people", "/people", "People", frozenset({Role.ADMIN, Role.QUALITY}),
         "layouts.people:layout", "callbacks.people:register"),
    # Settings: the agency's metric limits and rating scale; admins change them, quality reads (callbacks.settings).
    Page("settings", "/settings", "Settings", frozenset({Role.ADMIN, Role.QUALITY}),
         "layouts.settings:layout", "callbacks.settings:register"),
    # Framework versions: admins load a file and activate a version (checked again on the server, callbacks.framework.
    # _editor); quality reads which version every number is counted against.
    Page("framework", "/framework", "Framework", frozenset({Role.ADMIN, Role.QUALITY}),
         "layouts.framework:layout", "callbacks.framework:register"),
    Page("import", "/import", "Import", frozenset({Role.QUALITY, Role.ADMIN}),
         "layouts.data_import:layout", "callbacks.data_import:register"),
    Page("audit", "/audit-log", "Audit log", frozenset({Role.QUALITY, Role.ADMIN}),
         "layouts.audit_log:layout", "callbacks.audit_log:register"),
    Page("accounts", "/accounts", "Accounts", frozenset({Role.ADMIN}),
         "layouts.accounts:layout", "callbacks.accounts:register"),
    # Sign-off states: a supervisor sees the sessions they ran, quality, leadership and admins the agency's.
    Page("signoff", "/sign-off", "Sign-off", frozenset({Role.SUPERVISOR, Role.QUALITY, Role.LEADERSHIP, Role.ADMIN}),
         "layouts.signoff:layout", "callbacks.signoff:register"),
    # Credential requirements: admins and quality define them (checked again on save); leadership reads.
    Page("credentials", "/credentials", "Credentials", frozenset({Role.ADMIN, Role.QUALITY, Role.LEADERSHIP}),
         "layouts.credentials:layout", "callbacks.credentials:register"),
    # Help: what each number means (the README's definitions, word for word), who sees what, a glossary.
    Page("help", "/help", "Help", ALL_ROLES, "layouts.help:layout", None, in_navbar=False),
)


class PageRegistryError(RuntimeError):
    """A page the app cannot serve: a key or path used twice, no role, or a body or callbacks that do not exist."""


def _resolve(name: str) -> Any:
    module, _, attribute = name.partition(":")
    return getattr(import_module(module), attribute)


def check_pages(pages: Sequence[Page] = PAGES) -> Sequence[Page]:
    """The registry, unchanged, once every entry can be served; raises PageRegistryError naming every problem."""
    problems: list[str] = []
    for field in ("key", "path"):
        values = [getattr(page, field) for page in pages]
        if doubled := sorted({value for value in values if values.count(value) > 1}):
            problems.append(f"more than one page with {field} {', '.join(doubled)}")
    for page in pages:
        if not page.roles:
            problems.append(f"no role may use {page.key}")
        for part, name in (("layout", page.layout), ("callbacks", page.callbacks)):
            if name is None:
                continue
            try:
                if not callable(_resolve(name)):
                    raise AttributeError(name)
            except (ImportError, AttributeError, ValueError):
                problems.append(f"{page.key}'s {part} {name!r} does not exist")
    if problems:
        raise PageRegistryError("The page registry is incomplete: " + "; ".join(problems))
    return pages
