"""Rebuilds the current-rating table (latest rating per worker × competency × rater role) from the history."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from models import CompetencyRating, CurrentRating


def rebuild_current_ratings(session: Session) -> int:
    """Empty current_ratings and refill it from competency_ratings; return the number of rows written.

    The latest rating is the one with the latest rated_on; two on the same day are told apart by the
    higher id, i.e. the one recorded last. One INSERT … SELECT with ROW_NUMBER, so the rows never pass
    through Python and the same statement runs on SQLite and PostgreSQL.
    """
    ratings = CompetencyRating.__table__
    ranked = select(
        ratings.c.worker_id, ratings.c.competency_id, ratings.c.rater_role, ratings.c.id,
        ratings.c.level, ratings.c.rated_on,
        func.row_number().over(
            partition_by=(ratings.c.worker_id, ratings.c.competency_id, ratings.c.rater_role),
            order_by=(ratings.c.rated_on.desc(), ratings.c.id.desc()),
        ).label("recency"),
    ).subquery("ranked")
    latest = select(ranked.c.worker_id, ranked.c.competency_id, ranked.c.rater_role, ranked.c.id,
                    ranked.c.level, ranked.c.rated_on).where(ranked.c.recency == 1)
    connection = session.connection()  # Core: a plain DELETE and INSERT … SELECT, no ORM bookkeeping
    connection.execute(delete(CurrentRating))
    written = connection.execute(insert(CurrentRating).from_select(
        ["worker_id", "competency_id", "rater_role", "rating_id", "level", "rated_on"], latest,
    ).execution_options(preserve_rowcount=True))  # SQLAlchemy reports INSERT rowcounts only when asked
    return written.rowcount
