"""flag triage: a flag's service, who it is assigned to, and when work on it started

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 10:00:00

Flags raised before this revision have no service and are unassigned. "In progress" is a time,
not a status, so every query for open flags (status "open") still finds them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = [
    ('service_code', sa.String(length=40)),
    ('assigned_to', sa.String(length=80)),
    ('assigned_at', sa.DateTime(timezone=True)),
    ('in_progress_at', sa.DateTime(timezone=True)),
]


def upgrade() -> None:
    with op.batch_alter_table('safeguarding_flags', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('safeguarding_flags', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
