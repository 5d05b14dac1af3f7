"""PPT admin tools: service settings (ODS code, manager, public screen), board stories worth a Board,
saved inbox searches, FFT return submissions, report mailings, flag reminders, and an index on
story sentiment with its id (the inbox's counts read it alone)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:00:00

Public screens switch off until PPT switch each one on (issue 15): a screen that was showing
figures stops, by design. Existing board stories keep their note; their title and narrative
start empty and their consent is "not recorded yet": PPT record it before the story is printed.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_index('ix_story_analyses_sentiment_answer', 'story_analyses', ['sentiment', 'answer_id'], unique=False)
    op.drop_index('ix_story_analyses_sentiment', table_name='story_analyses')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ods_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('manager_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('screen_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('screen_min_answers', sa.Integer(), server_default='20', nullable=False))
    with op.batch_alter_table('safeguarding_flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', WHEN, nullable=True))
    with op.batch_alter_table('board_stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('narrative', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('consent', sa.String(length=20), server_default='unrecorded', nullable=False))
        batch_op.add_column(sa.Column('consent_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('consent_recorded_by', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('consent_recorded_at', WHEN, nullable=True))
        batch_op.add_column(sa.Column('qi_project_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('you_said_we_did_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', WHEN, nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_board_stories_qi_project_id_qi_projects'), 'qi_projects',
                                    ['qi_project_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_board_stories_you_said_we_did_id_you_said_we_did'),
                                    'you_said_we_did', ['you_said_we_did_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'board_story_sources',
        sa.Column('board_story_id', sa.Integer(), nullable=False),
        sa.Column('answer_id', ID, nullable=False),
        sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_board_story_sources_answer_id_answers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['board_story_id'], ['board_stories.id'],
                                name=op.f('fk_board_story_sources_board_story_id_board_stories'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('board_story_id', 'answer_id', name=op.f('pk_board_story_sources')))
    op.create_table(
        'saved_searches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('query', sa.Text(), nullable=False),
        sa.Column('created_at', WHEN, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_searches')),
        sa.UniqueConstraint('username', 'name', name=op.f('uq_saved_searches_username')))
    op.create_index(op.f('ix_saved_searches_username'), 'saved_searches', ['username'], unique=False)
    op.create_table(
        'fft_submissions',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('submitted_on', sa.Date(), nullable=False),
        sa.Column('recorded_by', sa.String(length=80), nullable=False),
        sa.Column('recorded_at', WHEN, nullable=False),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.Column('answers', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('month', name=op.f('pk_fft_submissions')))
    op.create_table(
        'report_mailings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('service_code', sa.String(length=40), server_default='', nullable=False),
        sa.Column('sent_at', WHEN, nullable=True),
        sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_try_at', WHEN, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_mailings')),
        sa.UniqueConstraint('kind', 'period', 'recipient', 'service_code', name=op.f('uq_report_mailings_kind')))


def downgrade() -> None:
    op.drop_table('report_mailings')
    op.drop_table('fft_submissions')
    op.drop_index(op.f('ix_saved_searches_username'), table_name='saved_searches')
    op.drop_table('saved_searches')
    op.drop_table('board_story_sources')
    with op.batch_alter_table('board_stories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_board_stories_you_said_we_did_id_you_said_we_did'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_board_stories_qi_project_id_qi_projects'), type_='foreignkey')
        for name in ('updated_at', 'you_said_we_did_id', 'qi_project_id', 'consent_recorded_at', 'consent_recorded_by',
                     'consent_note', 'consent', 'narrative', 'title'):
            batch_op.drop_column(name)
    with op.batch_alter_table('safeguarding_flags', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
    with op.batch_alter_table('services', schema=None) as batch_op:
        for name in ('screen_min_answers', 'screen_enabled', 'manager_email', 'ods_code'):
            batch_op.drop_column(name)
    op.create_index('ix_story_analyses_sentiment', 'story_analyses', ['sentiment'], unique=False)
    op.drop_index('ix_story_analyses_sentiment_answer', table_name='story_analyses')
