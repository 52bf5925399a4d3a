"""The supervisee's voice: a few optional questions a peer worker answers when acknowledging a session, on whether
the supervision honoured peer values (after the N.A.P.S. National Practice Guidelines for peer supervisors)."""
from __future__ import annotations

from collections.abc import Mapping

from dashboard.recording import Problem, Rejected

# Keys are stored with each answer; reword a question only if its meaning stays the same.
QUESTIONS: dict[str, str] = {
    "lived_experience": "My lived experience was treated as expertise.",
    "work_not_recovery": "We talked about my work, not my recovery as if I were a client.",
    "my_say": "I had a say in what we talked about and what happens next.",
    "peer_role": "The supervision supported my peer role, not clinical or clerical tasks.",
}
SCALE: dict[int, str] = {1: "Strongly disagree", 2: "Disagree", 3: "Agree", 4: "Strongly agree"}
FAVOURABLE = (3, 4)  # "agree" or "strongly agree"


def parse_answers(raw: object) -> dict[str, int]:
    """{question key: 1-4}; unanswered questions (None, "", "none") are left out. Anything else is refused."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise Rejected([Problem("answers", "The answers could not be read.")])
    answers: dict[str, int] = {}
    for key, value in raw.items():
        if value in (None, "", "none"):
            continue
        number = int(value) if isinstance(value, str) and value.isdigit() else value
        if key not in QUESTIONS or isinstance(number, bool) or not isinstance(number, int) or number not in SCALE:
            raise Rejected([Problem("answers", "Each answer must be one of the four choices, or left unanswered.")])
        answers[str(key)] = number
    return answers
