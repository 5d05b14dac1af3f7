"""public screen published in steps

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 22:00:00

A public screen's FFT figures are kept as published, and published again only when enough new
answers have arrived (or once a day, as the trust sets), so one more answer never shows.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('public_screens',
    sa.Column('service_code', sa.String(length=40), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('service_code', name=op.f('pk_public_screens'))
    )


def downgrade() -> None:
    op.drop_table('public_screens')
