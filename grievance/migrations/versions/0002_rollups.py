"""statistics rollups: counters and histograms per month and scope, and each report's facts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:34:03.909304

Plain tables with integer and string keys, no native enums, nothing dialect-specific: the same
migration runs on SQLite and PostgreSQL. The tables start empty: after upgrading a database that
already holds reports, run `grievance stats rebuild` once.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stats_duration_histograms',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.SmallInteger(), nullable=False),
    sa.Column('count', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('agency_id', 'region_code', 'category_id', 'month', 'bucket', name=op.f('pk_stats_duration_histograms'))
    )
    op.create_table('stats_rollups',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), server_default='0', nullable=False),
    sa.Column('dispatched', sa.Integer(), server_default='0', nullable=False),
    sa.Column('returned', sa.Integer(), server_default='0', nullable=False),
    sa.Column('archived', sa.Integer(), server_default='0', nullable=False),
    sa.Column('verification_due', sa.Integer(), server_default='0', nullable=False),
    sa.Column('verification_met', sa.Integer(), server_default='0', nullable=False),
    sa.Column('follow_up_due', sa.Integer(), server_default='0', nullable=False),
    sa.Column('follow_up_met', sa.Integer(), server_default='0', nullable=False),
    sa.Column('resolution_due', sa.Integer(), server_default='0', nullable=False),
    sa.Column('resolution_met', sa.Integer(), server_default='0', nullable=False),
    sa.Column('responses', sa.Integer(), server_default='0', nullable=False),
    sa.Column('disputes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('closures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('appeals', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ratings', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rating_sum', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ratings_high', sa.Integer(), server_default='0', nullable=False),
    sa.Column('closed_resolved', sa.Integer(), server_default='0', nullable=False),
    sa.Column('closed_not_resolved', sa.Integer(), server_default='0', nullable=False),
    sa.Column('closed_info_provided', sa.Integer(), server_default='0', nullable=False),
    sa.Column('closed_no_action_needed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('appeal_resolved', sa.Integer(), server_default='0', nullable=False),
    sa.Column('appeal_not_resolved', sa.Integer(), server_default='0', nullable=False),
    sa.Column('appeal_info_provided', sa.Integer(), server_default='0', nullable=False),
    sa.Column('appeal_no_action_needed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('open_change', sa.Integer(), server_default='0', nullable=False),
    sa.Column('overdue_change', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('agency_id', 'region_code', 'category_id', 'channel', 'month', name=op.f('pk_stats_rollups'))
    )
    with op.batch_alter_table('stats_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_stats_rollups_grouping_month', ['category_id', 'channel', 'month'], unique=False)

    op.create_table('stats_stocks',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('open_now', sa.Integer(), server_default='0', nullable=False),
    sa.Column('overdue_now', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('agency_id', 'region_code', 'category_id', 'channel', name=op.f('pk_stats_stocks'))
    )
    op.create_table('stats_report_facts',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('segment_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('screening_us', sa.BigInteger(), nullable=False),
    sa.Column('handling_us', sa.BigInteger(), nullable=False),
    sa.Column('run_late', sa.Boolean(), nullable=False),
    sa.Column('appealed', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('response_month', sa.Integer(), nullable=True),
    sa.Column('close_month', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_stats_report_facts_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_stats_report_facts'))
    )


def downgrade():
    op.drop_table('stats_report_facts')
    op.drop_table('stats_stocks')
    with op.batch_alter_table('stats_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_stats_rollups_grouping_month')

    op.drop_table('stats_rollups')
    op.drop_table('stats_duration_histograms')
