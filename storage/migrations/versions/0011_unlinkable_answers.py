"""unlinkable anonymous answers: random ids, shuffled batches, a holding table; erasure that erases

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 22:20:00

Responses and answers (feedback and equality) get random 62-bit ids instead of counters, and
no reference column; a random batch token says which shuffled batch wrote them. Answers wait,
encrypted, in pending_responses until they are written. Rows written before this revision
keep their ids.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# (table, column) holding a response or answer id, on PostgreSQL widened to BIGINT.
ID_COLUMNS = [("responses", "id"), ("answers", "id"), ("answers", "response_id"),
              ("response_owners", "response_id"), ("equality_responses", "id"), ("equality_answers", "id"),
              ("equality_answers", "response_id"), ("story_analyses", "answer_id"), ("story_tags", "answer_id"),
              ("theme_corrections", "answer_id"), ("qi_evidence", "answer_id"), ("board_stories", "answer_id")]
RANDOM = ("responses", "answers", "equality_responses", "equality_answers")


def upgrade() -> None:
    op.create_table('pending_responses',
                    sa.Column('id', sa.String(length=64), nullable=False),
                    sa.Column('sealed', sa.Boolean(), nullable=False),
                    sa.Column('payload', sa.LargeBinary(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_responses')))
    op.create_table('answer_batches',
                    sa.Column('store', sa.String(length=20), nullable=False),
                    sa.Column('last', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
                    sa.PrimaryKeyConstraint('store', name=op.f('pk_answer_batches')))
    for table in ("responses", "equality_responses"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f'uq_{table}_ref', type_='unique')
            batch.drop_column('ref')
            batch.add_column(sa.Column('batch', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False,
                                       server_default='0'))
        with op.batch_alter_table(table) as batch:
            batch.alter_column('batch', server_default=None)
    op.create_index(op.f('ix_responses_batch'), 'responses', ['batch'])
    op.create_index(op.f('ix_equality_responses_batch'), 'equality_responses', ['batch'])
    with op.batch_alter_table('contacts') as batch:  # DELETE MY DATA (service.erasure)
        batch.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('staff_notices') as batch:
        batch.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_staff_notices_contact_id_contacts'), 'contacts', ['contact_id'], ['id'],
                                 ondelete='CASCADE')
    op.create_index(op.f('ix_staff_notices_contact_id'), 'staff_notices', ['contact_id'])
    with op.batch_alter_table('report_months') as batch:  # new responses are now seen by count, not by id
        batch.drop_column('responses_through')
    if op.get_bind().dialect.name == "postgresql":  # SQLite's INTEGER already holds 64 bits
        for table, column in ID_COLUMNS:
            op.alter_column(table, column, type_=sa.BigInteger(), existing_nullable=table == "qi_evidence")
        for table in RANDOM:  # no counter to fall back on
            op.execute(f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT")
            op.execute(f"DROP SEQUENCE IF EXISTS {table}_id_seq")


def downgrade() -> None:
    raise NotImplementedError("anonymous answers cannot be put back in arrival order")
