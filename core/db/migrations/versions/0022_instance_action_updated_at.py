"""instance actions: when an action last changed (an event of it started
or finished), what os-instance-actions shows and filters by from
Compute API 2.58

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 22:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instance_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(),
                                      nullable=True))
    # An action's existing events say when it last changed.
    actions = sa.table('instance_actions', sa.column('id'),
                       sa.column('updated_at'))
    events = sa.table('instance_actions_events', sa.column('action_id'),
                      sa.column('start_time'), sa.column('finish_time'))
    last = sa.select(sa.func.max(sa.func.coalesce(
        events.c.finish_time, events.c.start_time))).where(
        events.c.action_id == actions.c.id).scalar_subquery()
    op.execute(actions.update().values(updated_at=last))


def downgrade():
    with op.batch_alter_table('instance_actions', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
