"""instance_actions_events: ``details``, why a failed event failed (the
message its fault recorded), shown from Compute API 2.84

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 07:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instance_actions_events',
                              schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('instance_actions_events',
                              schema=None) as batch_op:
        batch_op.drop_column('details')
