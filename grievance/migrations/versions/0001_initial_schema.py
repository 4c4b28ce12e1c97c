"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 02:16:56.746770

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('api_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('key_prefix', sa.String(length=12), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
    sa.UniqueConstraint('key_prefix', name=op.f('uq_api_clients_key_prefix'))
    )
    op.create_table('calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('weekdays', sa.String(length=20), nullable=False),
    sa.Column('work_start', sa.Time(), nullable=True),
    sa.Column('work_end', sa.Time(), nullable=True),
    sa.Column('holiday_country', sa.String(length=8), nullable=True),
    sa.Column('holiday_subdiv', sa.String(length=16), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(work_start IS NULL AND work_end IS NULL) OR (work_start IS NOT NULL AND work_end IS NOT NULL AND work_start < work_end)', name=op.f('ck_calendars_work_hours')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendars')),
    sa.UniqueConstraint('name', name=op.f('uq_calendars_name'))
    )
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('names', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('tier', sa.Enum('minor', 'normative', 'standard', 'investigation', name='tier', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_categories_code'))
    )
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("phone IS NULL OR phone LIKE '+%'", name=op.f('ck_contacts_phone_e164')),
    sa.CheckConstraint('phone IS NOT NULL OR email IS NOT NULL', name=op.f('ck_contacts_reachable')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('phone', name=op.f('uq_contacts_phone'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_email'), ['email'], unique=False)

    op.create_table('regions',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Enum('national', 'province', 'regency', 'unit', name='region_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('parent_code', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['regions.code'], name=op.f('fk_regions_parent_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regions_parent_code'), ['parent_code'], unique=False)

    op.create_table('sla_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('verification_days', sa.Integer(), nullable=False),
    sa.Column('follow_up_days', sa.Integer(), nullable=False),
    sa.Column('minor_days', sa.Integer(), nullable=False),
    sa.Column('normative_days', sa.Integer(), nullable=False),
    sa.Column('standard_days', sa.Integer(), nullable=False),
    sa.Column('investigation_days', sa.Integer(), nullable=False),
    sa.Column('reply_window_days', sa.Integer(), nullable=False),
    sa.Column('deferral_window_days', sa.Integer(), nullable=False),
    sa.Column('rating_window_days', sa.Integer(), nullable=False),
    sa.Column('appeal_window_days', sa.Integer(), nullable=False),
    sa.Column('reminder_before_days', sa.Integer(), nullable=False),
    sa.Column('level2_factor', sa.Integer(), nullable=False),
    sa.Column('green_threshold', sa.Integer(), nullable=False),
    sa.Column('yellow_threshold', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('verification_days > 0 AND follow_up_days > 0 AND minor_days > 0 AND normative_days > 0 AND standard_days > 0 AND investigation_days > 0 AND investigation_days <= 60 AND reply_window_days > 0 AND deferral_window_days > 0 AND rating_window_days > 0 AND appeal_window_days > 0 AND reminder_before_days >= 0 AND level2_factor >= 2', name=op.f('ck_sla_policy_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policy'))
    )
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Enum('national', 'province', 'regency', 'unit', name='agency_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('calendar_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'], name=op.f('fk_agencies_calendar_id_calendars')),
    sa.ForeignKeyConstraint(['parent_id'], ['agencies.id'], name=op.f('fk_agencies_parent_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code'))
    )
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agencies_parent_id'), ['parent_id'], unique=False)

    op.create_table('calendar_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'], name=op.f('fk_calendar_closures_calendar_id_calendars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_closures')),
    sa.UniqueConstraint('calendar_id', 'day', name='calendar_day')
    )
    op.create_table('agency_regions',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_regions_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_agency_regions_region_code_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agency_id', 'region_code', name=op.f('pk_agency_regions'))
    )
    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_routing_rules_agency_id_agencies')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_routing_rules_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_routing_rules_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rules')),
    sa.UniqueConstraint('category_id', 'region_code', name='category_region')
    )
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('reporter', 'verifier', 'coordinator', 'officer', 'oversight', 'admin', 'system', name='staff_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role NOT IN ('coordinator', 'officer') OR agency_id IS NOT NULL", name=op.f('ck_staff_users_agency_staff')),
    sa.CheckConstraint("role NOT IN ('reporter', 'system')", name=op.f('ck_staff_users_staff_role_only')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_staff_users_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_users_email'))
    )
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_users_agency_id'), ['agency_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_number', sa.String(length=10), nullable=False),
    sa.Column('access_code_hash', sa.String(length=64), nullable=False),
    sa.Column('classification', sa.Enum('complaint', 'aspiration', 'information_request', name='classification', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('region_code', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('channel', sa.Enum('web', 'sms', 'ussd', 'api', 'open311', 'staff', name='channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('photo_path', sa.String(length=200), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('submitted', 'deferred', 'dispatched', 'in_progress', 'responded', 'closed', 'archived', name='report_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('outcome', sa.Enum('resolved', 'not_resolved', 'info_provided', 'no_action_needed', name='outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('archive_reason', sa.Enum('incomplete', 'out_of_scope', 'duplicate', 'abusive', 'no_reply', name='archive_reason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('deferred_from', sa.Enum('submitted', 'deferred', 'dispatched', 'in_progress', 'responded', 'closed', 'archived', name='deferred_from_state', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('clock', sa.Enum('verification', 'follow_up', 'resolution', 'reply', 'deferral', name='clock', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('clock_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clock_consumed', sa.Interval(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('level2_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalation_level', sa.SmallInteger(), nullable=False),
    sa.Column('paused_clock', sa.Enum('verification', 'follow_up', 'resolution', 'reply', 'deferral', name='paused_clock', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('paused_consumed', sa.Interval(), nullable=True),
    sa.Column('paused_level', sa.SmallInteger(), nullable=False),
    sa.Column('reopen_count', sa.SmallInteger(), nullable=False),
    sa.Column('appealed', sa.Boolean(), nullable=False),
    sa.Column('forward_count', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_update_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_event_seq', sa.Integer(), nullable=False),
    sa.Column('last_event_hash', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(state = 'archived') = (archive_reason IS NOT NULL)", name=op.f('ck_reports_archived_has_reason')),
    sa.CheckConstraint("(state = 'deferred') = (deferred_from IS NOT NULL)", name=op.f('ck_reports_deferred_from')),
    sa.CheckConstraint("state <> 'closed' OR outcome IS NOT NULL", name=op.f('ck_reports_closed_has_outcome')),
    sa.CheckConstraint("state IN ('submitted', 'deferred', 'archived') OR agency_id IS NOT NULL", name=op.f('ck_reports_dispatched_agency')),
    sa.CheckConstraint('escalation_level BETWEEN 0 AND 2', name=op.f('ck_reports_escalation_level')),
    sa.CheckConstraint('latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)', name=op.f('ck_reports_coordinates')),
    sa.CheckConstraint('length(tracking_number) BETWEEN 6 AND 10', name=op.f('ck_reports_tracking_length')),
    sa.CheckConstraint('reopen_count >= 0', name=op.f('ck_reports_reopen_count')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_reports_agency_id_agencies')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_reports_category_id_categories')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_reports_contact_id_contacts')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['reports.id'], name=op.f('fk_reports_duplicate_of_id_reports')),
    sa.ForeignKeyConstraint(['officer_id'], ['staff_users.id'], name=op.f('fk_reports_officer_id_staff_users')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_reports_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('tracking_number', name=op.f('uq_reports_tracking_number'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_agency_state', ['agency_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_reports_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_region_code'), ['region_code'], unique=False)
        batch_op.create_index('ix_reports_remind_at', ['remind_at'], unique=False)
        batch_op.create_index('ix_reports_state_level_due', ['state', 'escalation_level', 'due_at'], unique=False)
        batch_op.create_index('ix_reports_state_level_level2', ['state', 'escalation_level', 'level2_at'], unique=False)

    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=80), nullable=False),
    sa.Column('sender', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_inbound_messages_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('provider', 'external_id', name='provider_external')
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('provider_ref', sa.String(length=64), nullable=True),
    sa.Column('provider_status', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'skipped')", name=op.f('ck_notifications_status')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_notifications_contact_id_contacts')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_notifications_report_id_reports')),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], name=op.f('fk_notifications_staff_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_provider_ref'), ['provider_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_notifications_status_next', ['status', 'next_attempt_at'], unique=False)

    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.SmallInteger(), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_ratings_score')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_ratings_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('report_id', 'cycle', name='report_cycle')
    )
    op.create_table('report_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('submit', 'dispatch', 'defer', 'archive', 'merge', 'add_information', 'assign', 'forward', 'return', 'post_update', 'request_information', 'respond', 'accept', 'dispute', 'rate', 'appeal', 'escalate', 'note', 'timeout', 'remind', 'reveal_identity', 'message_in', 'message_out', name='event_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.Enum('reporter', 'verifier', 'coordinator', 'officer', 'oversight', 'admin', 'system', name='event_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('from_state', sa.Enum('submitted', 'deferred', 'dispatched', 'in_progress', 'responded', 'closed', 'archived', name='event_from', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('to_state', sa.Enum('submitted', 'deferred', 'dispatched', 'in_progress', 'responded', 'closed', 'archived', name='event_to', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('public_text', sa.Text(), nullable=True),
    sa.Column('internal_text', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_users.id'], name=op.f('fk_report_events_actor_id_staff_users')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_events_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_events')),
    sa.UniqueConstraint('report_id', 'seq', name='report_seq')
    )
    with op.batch_alter_table('report_events', schema=None) as batch_op:
        batch_op.create_index('ix_report_events_created_at', ['created_at'], unique=False)

    op.create_table('sla_breaches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('clock', sa.Enum('verification', 'follow_up', 'resolution', 'reply', 'deferral', name='breach_clock', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('breached_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_sla_breaches_agency_id_agencies')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_sla_breaches_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_breaches')),
    sa.UniqueConstraint('report_id', 'clock', 'due_at', name='report_clock_due')
    )
    with op.batch_alter_table('sla_breaches', schema=None) as batch_op:
        batch_op.create_index('ix_sla_breaches_agency_breached', ['agency_id', 'breached_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sla_breaches_report_id'), ['report_id'], unique=False)




def downgrade():

    with op.batch_alter_table('sla_breaches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_breaches_report_id'))
        batch_op.drop_index('ix_sla_breaches_agency_breached')

    op.drop_table('sla_breaches')
    with op.batch_alter_table('report_events', schema=None) as batch_op:
        batch_op.drop_index('ix_report_events_created_at')

    op.drop_table('report_events')
    op.drop_table('ratings')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_status_next')
        batch_op.drop_index(batch_op.f('ix_notifications_report_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_provider_ref'))

    op.drop_table('notifications')
    op.drop_table('inbound_messages')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_state_level_level2')
        batch_op.drop_index('ix_reports_state_level_due')
        batch_op.drop_index('ix_reports_remind_at')
        batch_op.drop_index(batch_op.f('ix_reports_region_code'))
        batch_op.drop_index(batch_op.f('ix_reports_officer_id'))
        batch_op.drop_index('ix_reports_created_at')
        batch_op.drop_index(batch_op.f('ix_reports_contact_id'))
        batch_op.drop_index('ix_reports_agency_state')

    op.drop_table('reports')
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_users_agency_id'))

    op.drop_table('staff_users')
    op.drop_table('routing_rules')
    op.drop_table('agency_regions')
    op.drop_table('calendar_closures')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_parent_id'))

    op.drop_table('agencies')
    op.drop_table('sla_policy')
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regions_parent_code'))

    op.drop_table('regions')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_email'))

    op.drop_table('contacts')
    op.drop_table('categories')
    op.drop_table('calendars')
    op.drop_table('api_clients')

